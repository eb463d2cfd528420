"""Benchmark the 271 reader against naive split floors and TigerShark 0.3.4, in one run.

    .venv/bin/python bench/x12_read.py [--seconds 3.0]

Two inputs, both built with our own builder so they are valid 5010: a realistic 271 with 40
EBs (MSG, HSD, DTP, 2120 entities, the way BH carve-out answers look) and a batch interchange
with 1,000 subscriber loops. TigerShark is optional (``pip install -r bench/requirements.txt``);
it is skipped if absent.

The goal (issue 3): "within 3x of the naive floor and at least 10x faster than TigerShark",
where the issue defines the floor as "a naive ``split('~')``/``split('*')`` floor" and
measures it as "the naive split-and-extract floor is about 0.07 ms per small 271". So the
goal's reference is the **split-and-extract floor** (column ``x extract``): the plain code a
naive script would write to get the same facts out, namely split on ``~``, split each segment
on ``*``, and put each EB's fields (EB01-EB12, EB03 split on ``^``) and the subscriber's
NM1/DMG/DTP fields into plain dicts, one per subscriber; no validation, no objects, no
tolerance. Every row runs in the same process and the same run, in interleaved rounds (see
``timed``), so compare ratios, not milliseconds (the machine is shared).

That floor extracts about a third of what the reader returns. The like-for-like floor
(``split-and-extract-all``, the same naive code for every fact the reader returns) measures
about 0.07 ms per small 271 here, the figure the issue quotes; the verdict keeps the
stricter floor and prints the like-for-like ratio beside it.

Rows:

* ``split-only floor``: ``split('~')`` then ``split('*')``, nothing else. Stricter than the
  issue's floor; kept so nothing is hidden (column ``x split``).
* ``split-and-extract floor``: as above; the goal's reference (column ``x extract``).
* ``split-and-extract-all floor``: the same naive code taken to every fact the reader
  returns (HSD, MSG, DTP/REF/AAA per EB, 2120 entities, TRN, N3/N4, INS, payer and
  provider), still raw strings: the like-for-like floor. Reported beside the goal's ratio.
* ``split+extract, GC paused``: the same code with the cyclic collector paused, as
  ``read_271_all`` pauses it. Informational: how much of our ratio the pause buys.
* ``split + Benefit() floor``: the split plus one ``Benefit`` per EB through the dataclass
  constructor: what the frozen domain objects cost alone. Informational.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verifier.domain import (
    Benefit,
    DateInfo,
    DeliveryLimit,
    EligibilityRequest,
    EligibilityResult,
    MemberResult,
    Party,
    Person,
    Provider,
    RelatedEntity,
    Trace,
)
from verifier.x12.builder import build_271
from verifier.x12.encoder import Envelope
from verifier.x12.reader import read_271_all

SPLIT = "split-only floor"
EXTRACT = "split-and-extract floor"
EXTRACT_ALL = "split-and-extract-all floor"
OURS = "verifier.x12 reader"
TIGERSHARK = "TigerShark 0.3.4"
SERVICES = ["30", "MH", "A4", "A6", "A7", "A8", "BB", "CF", "CH", "AI", "CI", "CJ", "98", "UC"]


def realistic_result() -> EligibilityResult:
    benefits = [Benefit(info="1", service_types=("30",), insurance_type="PR",
                        plan_description="GOLD PPO 1500",
                        dates=(DateInfo("346", dt.date(2026, 1, 1), None, "20260101"),))]
    for i in range(39):
        service = SERVICES[i % len(SERVICES)]
        kind = "ABCGF"[i % 5]
        benefits.append(Benefit(
            info=kind, coverage_level="IND" if i % 2 else "FAM", service_types=(service,),
            time_period=("23", "29", "27", "24")[i % 4],
            amount=Decimal("1500.00") - i if kind in "BCG" else None,
            percent=Decimal("0.2") if kind == "A" else None,
            quantity_qualifier="VS" if kind == "F" else None,
            quantity=Decimal(30) if kind == "F" else None,
            authorization_required="Y" if service in ("A8", "BB", "CJ") else None,
            in_plan_network="YN"[i % 2],
            delivery_limits=(DeliveryLimit("VS", Decimal(30), None, None, "22", Decimal(1)),)
            if kind == "F" else (),
            messages=("PRECERTIFICATION REQUIRED FOR ALL BEHAVIORAL HEALTH ADMISSIONS",
                      "COINS APPLIES TO OUT OF POCKET") if i % 3 == 0 else (),
            related_entities=(RelatedEntity("X3", "BEHAVIORAL HEALTH ADMINISTRATOR", "PI",
                                            "BH0001", city="AUSTIN", state="TX"),)
            if i % 10 == 0 else (),
        ))
    member = MemberResult(loop="2100C", first_name="JOHN", last_name="DOE",
                          member_id="ABC123456789", date_of_birth=dt.date(1980, 2, 3),
                          gender="M", relationship_code="18", address_lines=("1 MAIN ST",),
                          city="AUSTIN", state="TX", postal_code="78701",
                          traces=(Trace("1", "PAYER-TRACE-1", "1999999999"),),
                          benefits=tuple(benefits))
    return EligibilityResult(payer=Party(name="BENCH HEALTH PLAN", id_qualifier="PI",
                                         identifier="BENCH"),
                             provider=Party(name="HOPE RECOVERY CENTER", id_qualifier="XX",
                                            identifier="1234567893"),
                             subscriber=member)


def realistic_271() -> str:
    request = EligibilityRequest(
        payer_id="BENCH", payer_name="BENCH HEALTH PLAN",
        provider=Provider("1234567893", "HOPE RECOVERY CENTER"),
        subscriber=Person("JOHN", "DOE", dt.date(1980, 2, 3), "ABC123456789"),
        service_date=dt.date(2026, 3, 2), trace_number="VER-BENCH-1",
    )
    envelope = Envelope("VERIFIER", "BENCH", 1, 1, 1, dt.datetime(2026, 3, 2, 9, 45))
    return build_271(request, realistic_result(), envelope)


def batch_271(single: str, subscribers: int) -> str:
    """One ST..SE with ``subscribers`` 2000C loops copied from ``single``."""
    segments = single.split("~")[:-1]
    first_member = next(i for i, s in enumerate(segments) if s.startswith("HL*3*"))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    head, member, tail = segments[:first_member], segments[first_member + 1:se], segments[se:]
    body = list(head)
    for n in range(subscribers):
        body.append(f"HL*{n + 3}*2*22*0")
        body.extend(member)
    st = next(i for i, s in enumerate(body) if s.startswith("ST*"))
    tail[0] = f"SE*{len(body) - st + 1}*0001"
    return "~".join(body + tail) + "~"


def naive(text: str) -> int:
    """The split-only floor."""
    return len([segment.split("*") for segment in text.split("~")])


def naive_extract(text: str) -> int:
    """The split-and-extract floor: what a naive script does to get the facts out."""
    subscribers = []
    subscriber: dict[str, Any] = {}
    for segment in text.split("~"):
        e = segment.split("*")
        tag = e[0]
        if tag == "EB":
            e += [""] * (13 - len(e))
            subscriber["benefits"].append({
                "info": e[1], "coverage_level": e[2], "service_types": e[3].split("^"),
                "insurance_type": e[4], "plan_description": e[5], "time_period": e[6],
                "amount": e[7], "percent": e[8], "quantity_qualifier": e[9],
                "quantity": e[10], "authorization_required": e[11], "in_plan_network": e[12],
            })
        elif tag == "HL" and e[3] == "22":
            subscriber = {"benefits": [], "dates": {}}
            subscribers.append(subscriber)
        elif tag == "NM1" and e[1] == "IL":
            e += [""] * (10 - len(e))
            subscriber.update(last_name=e[3], first_name=e[4], middle_name=e[5],
                              member_id=e[9])
        elif tag == "DMG":
            e += [""] * (4 - len(e))
            subscriber.update(date_of_birth=e[2], gender=e[3])
        elif tag == "DTP":
            subscriber["dates"][e[1]] = e[3]
    return len(subscribers)


def naive_extract_all(text: str) -> int:
    """The split-and-extract floor for every fact the reader returns, not only the EBs.

    The reader also returns each EB's HSD limits, MSG texts, DTP/REF/AAA, 2120 entities
    (NM1, N3, N4), the subscriber's TRN, N3/N4 and INS, and the payer and provider names.
    This is the same naive code as ``naive_extract`` taken to all of those, as raw strings
    in dicts and lists: no numbers or dates parsed, no validation, no warnings.
    """
    results = []
    parties: list[dict[str, Any]] = []
    member: Any = None
    benefit: Any = None
    entity: Any = None
    in_2120 = False
    for segment in text.split("~"):
        e = segment.split("*")
        tag = e[0]
        if tag == "EB":
            e += [""] * (14 - len(e))
            benefit = {"info": e[1], "coverage_level": e[2], "service_types": e[3].split("^"),
                       "insurance_type": e[4], "plan_description": e[5], "time_period": e[6],
                       "amount": e[7], "percent": e[8], "quantity_qualifier": e[9],
                       "quantity": e[10], "authorization_required": e[11],
                       "in_plan_network": e[12], "procedure": e[13].split(":"),
                       "limits": [], "messages": [], "dates": [], "references": [],
                       "errors": [], "entities": []}
            member["benefits"].append(benefit)
            in_2120 = False
        elif tag == "MSG":
            benefit["messages"].append(e[1])
        elif tag == "HSD":
            e += [""] * (9 - len(e))
            benefit["limits"].append(e[1:9])
        elif tag == "HL":
            benefit = entity = None
            if e[3] in ("22", "23"):
                member = {"benefits": [], "dates": [], "traces": [], "references": [],
                          "errors": []}
                results.append(member)
            else:
                member = None
                parties.append({})
        elif tag == "NM1":
            e += [""] * (10 - len(e))
            if in_2120:
                entity = {"code": e[1], "name": e[3], "id_qualifier": e[8], "id": e[9]}
                benefit["entities"].append(entity)
            elif member is not None:
                member.update(last_name=e[3], first_name=e[4], middle_name=e[5],
                              member_id=e[9])
            else:
                parties[-1].update(name=e[3], id_qualifier=e[8], id=e[9])
        elif tag == "LS":
            in_2120 = True
        elif tag == "LE":
            in_2120 = False
            entity = None
        elif tag == "N3":
            (entity if in_2120 else member)["address"] = e[1:3]
        elif tag == "N4":
            e += [""] * (4 - len(e))
            (entity if in_2120 else member).update(city=e[1], state=e[2], postal=e[3])
        elif tag == "DMG":
            e += [""] * (4 - len(e))
            member.update(date_of_birth=e[2], gender=e[3])
        elif tag == "INS":
            member["relationship"] = e[2]
        elif tag == "TRN":
            member["traces"].append(e[1:5])
        elif tag in ("DTP", "REF", "AAA"):
            key = {"DTP": "dates", "REF": "references", "AAA": "errors"}[tag]
            (benefit if benefit is not None else member)[key].append(e[1:])
    return len(results)


def naive_extract_gc_paused(text: str) -> int:
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return naive_extract(text)
    finally:
        if paused:
            gc.enable()


def objects_floor(text: str) -> int:
    """The naive split plus one Benefit per EB: what building the domain objects costs alone."""
    made = 0
    for fields in (segment.split("*") for segment in text.split("~")):
        if fields[0] == "EB":
            Benefit(fields[1], fields[2] or None, (fields[3],))
            made += 1
    return made


def ours(text: str) -> int:
    return len(read_271_all(text))


def tigershark_reader() -> Callable[[str], int] | None:
    try:
        from tigershark.parsers import M271_5010_X279_A1
    except ImportError:
        return None

    def read(text: str) -> int:
        M271_5010_X279_A1.parsed_271.unmarshall(text)
        return 1

    return read


def timed(readers: list[tuple[str, Callable[[str], int]]], text: str, seconds: float,
          rounds: int = 7) -> dict[str, float]:
    """Each reader's best seconds per call, sampled in interleaved rounds.

    The machine is shared and its speed drifts over seconds, so one long block per row can
    put one row in a slow stretch and the next in a fast one. Instead every round runs each
    reader for one short sample (about ``seconds / rounds / 2``) in turn, and each reader
    keeps its best sample: a slow stretch costs every row of that round alike.
    """
    calls: dict[str, int] = {}
    for name, function in readers:
        function(text)
        started, count = time.perf_counter(), 0
        while time.perf_counter() - started < seconds / rounds / 2 or count < 1:
            function(text)
            count += 1
        calls[name] = count
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, function in readers:
            started = time.perf_counter()
            for _ in range(calls[name]):
                function(text)
            best[name] = min(best[name], (time.perf_counter() - started) / calls[name])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 3 s: with 1 s the single-271 ratio moved 2.2x-3.2x between runs on this 2-core
    # machine; with 3-4 s it stayed within about 0.3x of its median.
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per row")
    args = parser.parse_args()
    single = realistic_271()
    batch = batch_271(single, 1000)
    assert len(read_271_all(batch)) == 1000
    assert naive_extract(batch) == 1000 and naive_extract(single) == 1
    assert naive_extract_all(batch) == 1000 and naive_extract_all(single) == 1
    readers: list[tuple[str, Callable[[str], int] | None]] = [
        (SPLIT, naive), (EXTRACT, naive_extract), (EXTRACT_ALL, naive_extract_all),
        ("split+extract, GC paused", naive_extract_gc_paused),
        ("split + Benefit() floor", objects_floor),
        (OURS, ours),
        (TIGERSHARK, tigershark_reader()),
    ]
    eb_count = single.count("~EB*")
    print(f"Python {sys.version.split()[0]}; single 271: {len(single):,} bytes, {eb_count} EBs; "
          f"batch: {len(batch):,} bytes, 1,000 subscribers")
    print(f"{'input':<7} {'reader':<27} {'ms/transaction':>14} {'MB/s':>7} {'x split':>8}"
          f" {'x extract':>9}")
    verdicts = []
    for label, text, transactions in (("single", single, 1), ("batch", batch, 1000)):
        seconds = timed([(name, reader) for name, reader in readers if reader is not None],
                        text, args.seconds)
        for name, reader in readers:
            if reader is None:
                print(f"{label:<7} {name:<27} {'not installed':>14}")
                continue
            ms = seconds[name] * 1000 / transactions
            mb_s = len(text) / seconds[name] / 1e6
            print(f"{label:<7} {name:<27} {ms:>14.4f} {mb_s:>7.1f}"
                  f" {seconds[name] / seconds[SPLIT]:>7.1f}x"
                  f" {seconds[name] / seconds[EXTRACT]:>8.2f}x")
        ratio = seconds[OURS] / seconds[EXTRACT]
        verdict = (f"{label}: reader {ratio:.2f}x split-and-extract (goal <= 3x: "
                   f"{'met' if ratio <= 3 else 'NOT met'}), "
                   f"{seconds[OURS] / seconds[EXTRACT_ALL]:.2f}x split-and-extract-all, "
                   f"{seconds[OURS] / seconds[SPLIT]:.1f}x split-only")
        if TIGERSHARK in seconds:
            faster = seconds[TIGERSHARK] / seconds[OURS]
            verdict += (f"; TigerShark {faster:.0f}x slower than the reader (goal >= 10x: "
                        f"{'met' if faster >= 10 else 'NOT met'})")
        verdicts.append(verdict)
    print()
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()

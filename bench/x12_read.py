"""Benchmark the 271 reader against a naive split floor and TigerShark 0.3.4, in one run.

    .venv/bin/python bench/x12_read.py [--seconds 1.0]

Two inputs, both built with our own builder so they are valid 5010: a realistic 271 with 40
EBs (MSG, HSD, DTP, 2120 entities, the way BH carve-out answers look) and a batch interchange
with 1,000 subscriber loops. Goal: within 3x of the naive floor, at least 10x TigerShark.
TigerShark is optional (``pip install -r bench/requirements.txt``); it is skipped if absent.

Floors, all in the same run (compare ratios, not milliseconds: the machine is shared):

* ``naive split floor``: ``split('~')`` then ``split('*')``, nothing else. The goal's
  reference and the ``x naive`` column.
* ``naive floor, GC paused``: the same split with the cyclic garbage collector paused, as
  ``read_271_all`` pauses it. On the batch the collector, not the splitting, dominates the
  naive floor (100,000 segment lists), so this is the like-for-like reference for our
  reader: the ``x GC-off`` column.
* ``split + strip floor``: the split plus ``strip()`` of every element into a tuple, the
  least a tolerant reader must touch (the issue's "split-and-extract" floor). Informational.
* ``split + Benefit() floor``: the split plus one ``Benefit`` per EB: what constructing the
  frozen domain objects costs alone. Informational.
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
    return len([segment.split("*") for segment in text.split("~")])


def naive_gc_paused(text: str) -> int:
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return naive(text)
    finally:
        if paused:
            gc.enable()


def strip_floor(text: str) -> int:
    """The naive split plus stripping every element into a tuple (split-and-extract)."""
    return len([tuple(e.strip() for e in segment.split("*")) for segment in text.split("~")])


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


def timed(function: Callable[[str], int], text: str, seconds: float) -> float:
    """Best-of-5 seconds per call, each sample running about ``seconds / 5``."""
    function(text)
    started, calls = time.perf_counter(), 0
    while time.perf_counter() - started < seconds / 10 or calls < 1:
        function(text)
        calls += 1
    per_sample = max(1, calls // 2)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(per_sample):
            function(text)
        best = min(best, (time.perf_counter() - started) / per_sample)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time budget per row")
    args = parser.parse_args()
    single = realistic_271()
    batch = batch_271(single, 1000)
    assert len(read_271_all(batch)) == 1000
    readers: list[tuple[str, Callable[[str], int] | None]] = [
        ("naive split floor", naive), ("naive floor, GC paused", naive_gc_paused),
        ("split + strip floor", strip_floor), ("split + Benefit() floor", objects_floor),
        ("verifier.x12 reader", ours),
        ("TigerShark 0.3.4", tigershark_reader()),
    ]
    eb_count = single.count("~EB*")
    print(f"Python {sys.version.split()[0]}; single 271: {len(single):,} bytes, {eb_count} EBs; "
          f"batch: {len(batch):,} bytes, 1,000 subscribers")
    print(f"{'input':<8} {'reader':<24} {'ms/transaction':>15} {'MB/s':>8} {'x naive':>8}"
          f" {'x GC-off':>9}")
    for label, text, transactions in (("single", single, 1), ("batch", batch, 1000)):
        floors: list[float] = []  # the naive floor, then the naive floor with GC paused
        for name, reader in readers:
            if reader is None:
                print(f"{label:<8} {name:<24} {'not installed':>15}")
                continue
            seconds = timed(reader, text, args.seconds)
            if len(floors) < 2:
                floors.append(seconds)
            ms = seconds * 1000 / transactions
            mb_s = len(text) / seconds / 1e6
            print(f"{label:<8} {name:<24} {ms:>15.4f} {mb_s:>8.1f} {seconds / floors[0]:>7.1f}x"
                  f" {seconds / floors[-1]:>8.1f}x")


if __name__ == "__main__":
    main()

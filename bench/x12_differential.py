"""Differential check: our 271 reader against linuxforhealth-x12 on every corpus 271.

    .venv/bin/python bench/x12_differential.py [--corpus tests/fixtures/x12] [--venv DIR]

linuxforhealth-x12 (0.57, Apache-2.0) needs pydantic < 2, which this project does not use, so
it gets its own virtual environment: the script creates ``var/.venv-lfh`` (or ``--venv``)
the first time, pip-installs ``linuxforhealth-x12`` and ``pydantic<2`` there, and runs a small
worker inside it that prints, per file, what LFH read. This process reads the same files
with ``verifier.x12.reader.read_271_all`` and compares, per member (subscriber or
dependent, in order): the member id, the EB count, and for each EB in order EB01, EB02,
EB03 (the repetitions), EB06, EB07, EB08 and EB12. Files LFH cannot read (it supports 5010
only and is strict) are listed with its error; they are not counted as disagreements.

Exit status 0 when every file both read agrees, 1 otherwise. Nothing here runs in the test
suite: it needs PyPI (or a local mirror) the first time, like ``bench/requirements.txt``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import venv
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verifier.domain import Benefit, EligibilityResult  # noqa: E402
from verifier.x12.errors import X12ParseError  # noqa: E402
from verifier.x12.reader import read_271_all  # noqa: E402

PACKAGES = ("linuxforhealth-x12", "pydantic<2")
FIELDS = ("EB01", "EB02", "EB03", "EB06", "EB07", "EB08", "EB12")

# Runs inside the LFH venv: one JSON line per file, {"file", "members"} or {"file", "error"}.
WORKER = r'''
import json, sys
from linuxforhealth.x12.io import X12ModelReader

def members(model):
    found = []
    for a in model.get("loop_2000a") or []:
        for b in a.get("loop_2000b") or []:
            for c in b.get("loop_2000c") or []:
                chain = [("2100C", c.get("loop_2100c") or {}, "loop_2110c")]
                for d in c.get("loop_2000d") or []:
                    chain.append(("2100D", d.get("loop_2100d") or {}, "loop_2110d"))
                for loop, member, key in chain:
                    nm1 = member.get("nm1_segment") or {}
                    ebs = [x.get("eb_segment") or {} for x in member.get(key) or []]
                    found.append({
                        "loop": loop,
                        "member_id": nm1.get("identification_code"),
                        "ebs": [[eb.get("eligibility_benefit_information"),
                                 eb.get("coverage_level_code"),
                                 list(eb.get("service_type_code") or []),
                                 eb.get("time_period_qualifier"),
                                 None if eb.get("benefit_amount") is None
                                 else str(eb.get("benefit_amount")),
                                 None if eb.get("benefit_percent") is None
                                 else str(eb.get("benefit_percent")),
                                 eb.get("inplan_network_indicator")] for eb in ebs],
                    })
    return found

for path in sys.argv[1:]:
    try:
        text = open(path, "rb").read().decode("utf-8-sig")  # a BOM is not X12
        with X12ModelReader(text) as reader:
            models = [m.dict() for m in reader.models()]
        found = [m for model in models for m in members(model)]
        print(json.dumps({"file": path, "members": found}))
    except Exception as error:  # LFH raises many kinds; each is this file's answer
        message = " ".join(f"{type(error).__name__}: {error}".split())
        print(json.dumps({"file": path, "error": message[:150]}))
'''


def ensure_venv(where: Path) -> Path:
    python = where / "bin" / "python"
    marker = where / ".lfh-installed"
    if not python.exists():
        print(f"creating {where} for linuxforhealth-x12 (pydantic < 2) ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(where)
    if not marker.exists():
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True,
                       timeout=600)
        marker.write_text(" ".join(PACKAGES) + "\n")
    return python


def lfh_read(python: Path, files: list[Path]) -> dict[str, dict[str, Any]]:
    done = subprocess.run([str(python), "-c", WORKER, *map(str, files)], capture_output=True,
                          text=True, check=True, timeout=600)
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {Path(a["file"]).name: a for a in answers}


def _number(value: Decimal | str | None) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def _eb(b: Benefit) -> list[Any]:
    return [b.info, b.coverage_level, list(b.service_types), b.time_period,
            _number(b.amount), _number(b.percent), b.in_plan_network]


def ours(results: list[EligibilityResult]) -> list[dict[str, Any]]:
    found = []
    for result in results:
        for member in (result.subscriber, result.dependent):
            if member is None or any(m["_id"] == id(member) for m in found):
                continue
            found.append({"_id": id(member), "loop": member.loop,
                          "member_id": member.member_id,
                          "ebs": [_eb(b) for b in member.benefits]})
    return found


def compare(mine: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> list[str]:
    """The differences, as short sentences (no names or ids: counts and codes only)."""
    problems: list[str] = []
    if len(mine) != len(theirs):
        problems.append(f"members: ours {len(mine)}, LFH {len(theirs)}")
    for index, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        where = f"member {index + 1} ({a['loop']})"
        if a["member_id"] != b["member_id"]:
            problems.append(f"{where}: member id differs")
        if len(a["ebs"]) != len(b["ebs"]):
            problems.append(f"{where}: EB count ours {len(a['ebs'])}, LFH {len(b['ebs'])}")
        for number, (x, y) in enumerate(zip(a["ebs"], b["ebs"], strict=False), 1):
            y = [y[0], y[1], y[2], y[3], _number(y[4]), _number(y[5]), y[6]]
            for name, left, right in zip(FIELDS, x, y, strict=True):
                if left != right:
                    problems.append(f"{where} EB {number}: {name} ours {left!r}, LFH {right!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "fixtures" / "x12")
    parser.add_argument("--venv", type=Path, default=ROOT / "var" / ".venv-lfh")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.glob("*.x12")
                   if ".270." not in p.name and "x270" not in p.name)
    python = ensure_venv(args.venv)
    lfh = lfh_read(python, files)
    compared = agreed = 0
    print(f"{'file':58} {'result'}")
    for path in files:
        answer = lfh.get(path.name, {"error": "no answer from the worker"})
        try:
            mine = ours(read_271_all(path.read_bytes()))
        except X12ParseError as error:
            print(f"{path.name:58} ours refused: {error}")
            continue
        if "error" in answer:
            print(f"{path.name:58} LFH cannot read it ({answer['error']})")
            continue
        compared += 1
        problems = compare(mine, answer["members"])
        ebs = sum(len(m["ebs"]) for m in mine)
        if problems:
            print(f"{path.name:58} DIFFERS ({len(problems)}): " + "; ".join(problems[:6]))
        else:
            agreed += 1
            print(f"{path.name:58} agrees: {len(mine)} member(s), {ebs} EBs, "
                  f"{ebs * len(FIELDS)} fields")
    print(f"\n{len(files)} corpus 271s; LFH read {compared}; ours and LFH agree on {agreed} "
          f"of {compared} (member, EB count, {', '.join(FIELDS)}).")
    return 0 if agreed == compared else 1


if __name__ == "__main__":
    raise SystemExit(main())

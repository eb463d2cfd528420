"""An X12 interchange for a person to read: a segment per line, codes decoded beside it.

For staff reading what the payer really said. Pure; unreadable input comes back as
its raw lines with a note rather than an exception (staff still need to see it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from verifier.x12 import codes
from verifier.x12.errors import X12ParseError
from verifier.x12.tokenizer import tokenize


@dataclass(frozen=True)
class Line:
    segment: str
    meaning: str


def _lookup(table: Mapping[str, str], code: str | None) -> str | None:
    if not code:
        return None
    value = table.get(code)
    return f"{code}={value}" if value else None


def _eb(elements: list[str], repetition: str | None) -> str:
    get = lambda i: elements[i] if len(elements) > i and elements[i] else None  # noqa: E731
    parts = [
        _lookup(codes.ELIGIBILITY_BENEFIT_INFO, get(1)),
        _lookup(codes.COVERAGE_LEVELS, get(2)),
    ]
    stcs = get(3)
    if stcs:
        split = stcs.split(repetition) if repetition else [stcs]
        parts.append(
            "services: "
            + ", ".join(f"{code} {codes.SERVICE_TYPES.get(code, '?')}" for code in split)
        )
    parts += [
        _lookup(codes.TIME_PERIODS, get(6)),
        f"amount {get(7)}" if get(7) else None,
        f"percent {get(8)}" if get(8) else None,
        _lookup(codes.QUANTITY_QUALIFIERS, get(9)),
        f"quantity {get(10)}" if get(10) else None,
        f"auth {_lookup(codes.AUTHORIZATION_INDICATORS, get(11))}" if get(11) else None,
        f"network {_lookup(codes.IN_PLAN_NETWORK, get(12))}" if get(12) else None,
    ]
    return "; ".join(part for part in parts if part)


def _aaa(elements: list[str]) -> str:
    reason = elements[3] if len(elements) > 3 else ""
    follow = elements[4] if len(elements) > 4 else ""
    return "; ".join(
        part
        for part in (
            _lookup(codes.REJECT_REASONS, reason),
            _lookup(codes.FOLLOW_UP_ACTIONS, follow),
        )
        if part
    )


def pretty(raw: str) -> list[Line]:
    try:
        tokens = tokenize(raw)
    except X12ParseError:
        return [Line(line, "not readable as X12") for line in raw.splitlines() or [raw]]
    element = tokens.separators.element
    lines = []
    for elements in tokens.segments:
        name = elements[0] if elements else ""
        meaning = ""
        if name == "EB":
            meaning = _eb(elements, tokens.separators.repetition)
        elif name == "AAA":
            meaning = _aaa(elements)
        elif name == "HSD":
            meaning = "service delivery limit"
        elif name == "MSG":
            meaning = "payer message"
        lines.append(Line(element.join(elements) + tokens.separators.segment, meaning))
    return lines

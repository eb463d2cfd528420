"""Shared reading primitives: which tier and level an EB speaks for, and how to cite it.

Kept apart from the rules so every rule reads EB12/EB02/EB06 the same way (docs/design.md §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from verifier.coverage.ladders import PLAN_WIDE_STC, Ladder
from verifier.coverage.model import Tier
from verifier.domain import Benefit, DateInfo, DeliveryLimit

T = TypeVar("T")

ACTIVE = frozenset("12345")
INACTIVE = frozenset("678")

# EB06 (element 615) for an accumulator: blank, 23 calendar year and 22 service year are the
# total; 24 year-to-date is what has been met; 29 is what remains.
TOTAL_PERIODS = frozenset({None, "", "22", "23"})
MET = "24"
REMAINING = "29"

PERIOD_NAMES = {
    "21": "year",
    "22": "service_year",
    "23": "calendar_year",
    "25": "contract",
    "26": "episode",
    "32": "lifetime",
    "33": "lifetime",
    "34": "month",
    "35": "week",
    "36": "admission",
}

COPAY_PER = {"27": "visit", "7": "day", "13": "day", "36": "admission", "26": "episode"}

# EB02. IND is the person; EMP (employee only) is single-person coverage, so its deductible
# is an individual one. ESP/ECH/SPC/FAM cover several people: family. CHD, DEP and SPO
# describe who a benefit is for rather than an accumulator level, and blank says nothing:
# those are not placed (a note says so) rather than guessed.
INDIVIDUAL_LEVELS = frozenset({"IND", "EMP"})
FAMILY_LEVELS = frozenset({"FAM", "ESP", "ECH", "SPC"})


def tiers_of(benefit: Benefit) -> tuple[Tier, ...]:
    """EB12 Y/N name one tier, W both; blank or U name neither (the network is unknown)."""
    flag = (benefit.in_plan_network or "").upper()
    if flag == "Y":
        return (Tier.IN_NETWORK,)
    if flag == "N":
        return (Tier.OUT_OF_NETWORK,)
    if flag == "W":
        return (Tier.IN_NETWORK, Tier.OUT_OF_NETWORK)
    return ()


def level_of(benefit: Benefit) -> str | None:
    code = (benefit.coverage_level or "").upper()
    if code in INDIVIDUAL_LEVELS:
        return "individual"
    if code in FAMILY_LEVELS:
        return "family"
    return None


def is_plan_wide(benefit: Benefit) -> bool:
    return PLAN_WIDE_STC in benefit.service_types


def rank(benefit: Benefit, ladder: Ladder) -> int | None:
    procedure = benefit.procedure.code if benefit.procedure is not None else None
    return ladder.rank(benefit.service_types, procedure)


# III01 qualifiers that put a CMS place-of-service code in III02 (TR3 2110C III: ZZ,
# "mutually defined", is the place of service; Stedi/Optum JSON say the same).
PLACE_OF_SERVICE_QUALIFIERS = frozenset({"ZZ"})


def places_of(benefit: Benefit) -> tuple[str, ...]:
    """The places of service a row is limited to (none: it is not limited)."""
    return tuple(
        code.strip().zfill(2)
        for qualifier, code in benefit.industry_codes
        if qualifier.strip().upper() in PLACE_OF_SERVICE_QUALIFIERS and code.strip()
    )


def scoped_rank(benefit: Benefit, ladder: Ladder) -> tuple[int, int] | None:
    """(service rung, place rank): None when the row is not the program's own, by its
    service type or its place of service (see ``Ladder.place_rank``)."""
    r = rank(benefit, ladder)
    if r is None:
        return None
    place = ladder.place_rank(places_of(benefit))
    return None if place is None else (r, place)


def other_place(benefit: Benefit, ladder: Ladder) -> bool:
    """The row is only about places where the program is not delivered."""
    return ladder.place_rank(places_of(benefit)) is None


R = TypeVar("R", int, tuple[int, int])


def most_specific(ranked: Iterable[tuple[R, T]]) -> tuple[R, list[T]] | None:
    """The benefits of the best (lowest) rank: one rung answers, rungs are never mixed."""
    items = list(ranked)
    if not items:
        return None
    best = min(r for r, _ in items)
    return best, [b for r, b in items if r == best]


def _num(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def render_eb(benefit: Benefit) -> str:
    """The EB as a biller would write it (``*`` elements, ``^`` repeats), for evidence."""
    procedure = ""
    if benefit.procedure is not None:
        procedure = ":".join(
            (benefit.procedure.qualifier, benefit.procedure.code, *benefit.procedure.modifiers)
        )
    elements = [
        benefit.info,
        benefit.coverage_level or "",
        "^".join(benefit.service_types),
        benefit.insurance_type or "",
        benefit.plan_description or "",
        benefit.time_period or "",
        _num(benefit.amount),
        _num(benefit.percent),
        benefit.quantity_qualifier or "",
        _num(benefit.quantity),
        benefit.authorization_required or "",
        benefit.in_plan_network or "",
        procedure,
    ]
    while elements and not elements[-1]:
        elements.pop()
    rendered = "*".join(["EB", *elements])
    for qualifier, code in benefit.industry_codes:
        rendered += f" III*{qualifier}*{code}"
    return rendered


def render_hsd(limit: DeliveryLimit) -> str:
    elements = [
        limit.quantity_qualifier or "",
        _num(limit.quantity),
        limit.unit or "",
        _num(limit.sample_modulus),
        limit.time_period or "",
        _num(limit.periods),
        limit.calendar_pattern or "",
        limit.time_code or "",
    ]
    while elements and not elements[-1]:
        elements.pop()
    return "*".join(["HSD", *elements])


def render_dtp(date: DateInfo) -> str:
    if date.raw:
        value = date.raw
        fmt = "RD8" if "-" in value else "D8"
    elif date.end is not None and date.start is not None:
        value = f"{date.start:%Y%m%d}-{date.end:%Y%m%d}"
        fmt = "RD8"
    else:
        value = f"{date.start:%Y%m%d}" if date.start is not None else ""
        fmt = "D8"
    return f"DTP*{date.qualifier}*{fmt}*{value}"


@dataclass
class Trail:
    """Collects evidence (path -> sources) and notes while the rules run."""

    sources: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def cite(self, path: str, *sources: str) -> None:
        bucket = self.sources.setdefault(path, [])
        for source in sources:
            if source not in bucket:
                bucket.append(source)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def frozen(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        items = [(path, tuple(sources)) for path, sources in self.sources.items()]
        if self.notes:
            items.append(("notes", tuple(self.notes)))
        return tuple(items)


def distinct(values: Sequence[object]) -> list[object]:
    seen: list[object] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen

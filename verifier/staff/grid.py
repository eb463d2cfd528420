"""The benefit grid a coordinator reads: one answer laid out as rows, each value with its source.

Pure: a CoverageSummary in, rows of words out. "not reported" (the payer said nothing) is
never shown as $0 and never left blank; $0.00 is a value. Each value carries the evidence
the engine kept for it (an EB line, a derived sum, a FHIR/JSON field, a phone entry), so
the coordinator can see where a number came from without reading the raw 271.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from verifier.coverage.model import Amounts, CoverageSummary, PlaceBenefits, Tier, TierBenefits
from verifier.coverage.places import place_name

NOT_REPORTED = "not reported"

TierFact = Callable[[TierBenefits], Any]


@dataclass(frozen=True)
class Cell:
    text: str
    sources: tuple[str, ...] = ()

    @property
    def reported(self) -> bool:
        return self.text != NOT_REPORTED


@dataclass(frozen=True)
class Row:
    key: str  # stable id for tests and anchors ("copay", "deductible.individual.total")
    label: str
    cells: tuple[Cell, ...]  # in network, out of network (tier rows) or one value


def dollars(value: Decimal | None) -> str:
    if value is None:
        return NOT_REPORTED
    return f"${value.quantize(Decimal('0.01')):,.2f}"


def percent(value: Decimal | None) -> str:
    if value is None:
        return NOT_REPORTED
    shown = (value * 100).normalize()
    return f"{shown:f}%"


def yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    if value is None:
        return NOT_REPORTED
    return yes if value else no


def _count(value: int | None) -> str:
    return NOT_REPORTED if value is None else str(value)


def _copay(t: TierBenefits) -> str:
    if t.copay.amount is None:
        return NOT_REPORTED
    return dollars(t.copay.amount) + (f" per {t.copay.per}" if t.copay.per else "")


def _amount(pick: Callable[[TierBenefits], Amounts], part: str) -> TierFact:
    return lambda t: dollars(getattr(pick(t), part))


TIER_ROWS: tuple[tuple[str, str, TierFact], ...] = (
    ("covered", "Covered for this service", lambda t: yes_no(t.covered, "covered", "not covered")),
    ("copay", "Copay", _copay),
    ("coinsurance", "Coinsurance (patient share)", lambda t: percent(t.coinsurance)),
    (
        "deductible.individual.total",
        "Deductible, individual",
        _amount(lambda t: t.deductible.individual, "total"),
    ),
    (
        "deductible.individual.remaining",
        "Deductible left, individual",
        _amount(lambda t: t.deductible.individual, "remaining"),
    ),
    (
        "deductible.family.total",
        "Deductible, family",
        _amount(lambda t: t.deductible.family, "total"),
    ),
    (
        "deductible.family.remaining",
        "Deductible left, family",
        _amount(lambda t: t.deductible.family, "remaining"),
    ),
    (
        "out_of_pocket.individual.total",
        "Out-of-pocket maximum, individual",
        _amount(lambda t: t.out_of_pocket.individual, "total"),
    ),
    (
        "out_of_pocket.individual.remaining",
        "Out-of-pocket left, individual",
        _amount(lambda t: t.out_of_pocket.individual, "remaining"),
    ),
    (
        "out_of_pocket.family.total",
        "Out-of-pocket maximum, family",
        _amount(lambda t: t.out_of_pocket.family, "total"),
    ),
    (
        "out_of_pocket.family.remaining",
        "Out-of-pocket left, family",
        _amount(lambda t: t.out_of_pocket.family, "remaining"),
    ),
)


def _sources(summary: CoverageSummary, *paths: str) -> tuple[str, ...]:
    evidence = dict(summary.evidence)
    found: list[str] = []
    for path in paths:
        found.extend(evidence.get(path, ()))
    return tuple(dict.fromkeys(found))


def tier_rows(summary: CoverageSummary) -> list[Row]:
    """In network and out of network side by side, one row per benefit."""
    rows = []
    for key, label, fact in TIER_ROWS:
        cells = tuple(
            Cell(fact(summary.tier(tier)), _sources(summary, f"{tier.value}.{key}"))
            for tier in (Tier.IN_NETWORK, Tier.OUT_OF_NETWORK)
        )
        rows.append(Row(key, label, cells))
    return rows


def _dates(begin: Any, end: Any) -> str:
    if begin is None and end is None:
        return NOT_REPORTED
    return (
        f"{begin.isoformat() if begin else 'not reported'} to {end.isoformat() if end else 'open'}"
    )


def plan_rows(summary: CoverageSummary) -> list[Row]:
    """The plan, network, authorization and visit facts that are not per tier."""
    c, v, p = summary.coverage, summary.visit_limit, summary.preauthorization
    admin = summary.administrator
    period = f" ({v.period.replace('_', ' ')})" if v.period else ""

    def one(key: str, label: str, text: str, *paths: str) -> Row:
        return Row(key, label, (Cell(text, _sources(summary, *(paths or (key,)))),))

    rows = [
        one("coverage.status", "Coverage", c.status.value),
        one("coverage.plan_name", "Plan", c.plan_name or NOT_REPORTED),
        one("coverage.group_number", "Group", c.group_number or NOT_REPORTED),
        one(
            "coverage.plan_dates",
            "Plan dates",
            _dates(c.plan_begin, c.plan_end),
            "coverage.plan_begin",
            "coverage.plan_end",
        ),
        one(
            "eligibility.dates",
            "Member eligible",
            _dates(*((e.begin, e.end) if (e := summary.eligibility) else (None, None))),
            "eligibility.begin",
            "eligibility.end",
        ),
        Row(
            "network.status",
            "Network",
            (
                Cell(
                    summary.network.status.value.replace("_", " ")
                    + (f" ({summary.network.basis})" if summary.network.basis else ""),
                    _sources(summary, "network.status"),
                ),
            ),
        ),
        Row(
            "preauthorization.required",
            "Preauthorization",
            (
                Cell(
                    yes_no(p.required, "required", "not required"),
                    p.evidence or _sources(summary, "preauthorization.required"),
                ),
            ),
        ),
        one(
            "visit_limit.allowed",
            "Visits or days allowed",
            _count(v.allowed) + period if v.allowed is not None else NOT_REPORTED,
        ),
        one("visit_limit.used", "Visits or days used", _count(v.used)),
        one("visit_limit.remaining", "Visits or days left", _count(v.remaining)),
    ]
    if admin is not None:
        named = " · ".join(part for part in (admin.name, admin.payer_id, admin.phone) if part)
        rows.append(one("administrator", "Benefits administrator (carve-out)", named or "named"))
    return rows


def _cost_share(found: PlaceBenefits | None) -> str:
    if found is None or (found.copay.amount is None and found.coinsurance is None):
        return NOT_REPORTED
    parts = []
    if found.copay.amount is not None:
        per = f" per {found.copay.per}" if found.copay.per else ""
        parts.append(f"copay {dollars(found.copay.amount)}{per}")
    if found.coinsurance is not None:
        parts.append(f"coinsurance {percent(found.coinsurance)}")
    return ", ".join(parts)


def place_rows(summary: CoverageSummary) -> list[Row]:
    """The cost share by place of service, in and out of network side by side; empty when
    the payer did not split the program's rows by place. A place where this program is not
    delivered is labelled so, not hidden."""
    places = dict.fromkeys(p.place for p in summary.places)
    rows = []
    for place in places:
        by_tier = {p.tier: p for p in summary.places if p.place == place}
        program = any(p.program_place for p in by_tier.values())
        label = f"{place_name(place).capitalize()} ({place})" + (
            "" if program else ", not where this program is delivered"
        )
        cells = tuple(
            Cell(
                _cost_share(by_tier.get(tier)),
                _sources(
                    summary,
                    f"place_of_service.{place}.{tier.value}.copay",
                    f"place_of_service.{place}.{tier.value}.coinsurance",
                ),
            )
            for tier in (Tier.IN_NETWORK, Tier.OUT_OF_NETWORK)
        )
        rows.append(Row(f"place_of_service.{place}", label, cells))
    return rows


def estimate_text(summary: CoverageSummary) -> str:
    """The patient-cost estimate in one phrase, or why none is shown."""
    e = summary.estimate
    if e.patient_cost_low is None and e.patient_cost_high is None:
        return "no estimate"
    low, high = dollars(e.patient_cost_low), dollars(e.patient_cost_high)
    span = low if low == high else f"{low} to {high}"
    return span + (f" for {e.sessions} sessions" if e.sessions else "")


def shows_cost(summary: CoverageSummary) -> bool:
    """A cost is shown only for active coverage: an ended plan pays nothing we could estimate."""
    return summary.coverage.status.value == "active"

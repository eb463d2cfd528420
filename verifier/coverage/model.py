"""The CoverageSummary and its parts (docs/design.md §6), and their exact JSON shape.

``None`` everywhere means "not reported" and is kept as JSON ``null``: a reader must be able
to tell "the payer said 0" from "the payer said nothing". Money is a Decimal, printed with two
places; coinsurance is the patient's share as a fraction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from verifier.domain import Condition, LevelOfCare

CENT = Decimal("0.01")


class Tier(StrEnum):
    IN_NETWORK = "in_network"
    OUT_OF_NETWORK = "out_of_network"


class CoverageStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


class NetworkStatus(StrEnum):
    IN_NETWORK = "in_network"
    OUT_OF_NETWORK = "out_of_network"
    UNKNOWN = "unknown"


def money(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def fraction(value: Decimal | None) -> str | None:
    """0.2 -> "0.20"; keeps extra places a payer sent (0.125) instead of rounding them away."""
    if value is None:
        return None
    if value == value.quantize(CENT):
        return str(value.quantize(CENT))
    return format(value.normalize(), "f")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class Coverage:
    status: CoverageStatus = CoverageStatus.UNKNOWN
    plan_name: str | None = None
    group_number: str | None = None
    plan_begin: dt.date | None = None
    plan_end: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "plan_name": self.plan_name,
            "group_number": self.group_number,
            "plan_begin": _date(self.plan_begin),
            "plan_end": _date(self.plan_end),
        }


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The member's eligibility dates (DTP 356/357, or a 307 range), kept apart from the plan's.

    A member can join a plan after it began or leave before it ends (a dependent added in
    March, COBRA ending in June): the coordinator needs both spans. ``end`` None is open.
    """

    begin: dt.date | None = None
    end: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"begin": _date(self.begin), "end": _date(self.end)}


@dataclass(frozen=True, slots=True)
class Network:
    status: NetworkStatus
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "basis": self.basis}


@dataclass(frozen=True, slots=True)
class Preauthorization:
    required: bool | None = None
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"required": self.required, "evidence": list(self.evidence)}


@dataclass(frozen=True, slots=True)
class Administrator:
    """A carve-out entity (e.g. the behavioural-health administrator) the payer points to."""

    name: str | None
    payer_id: str | None
    phone: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "payer_id": self.payer_id, "phone": self.phone}


@dataclass(frozen=True, slots=True)
class Amounts:
    total: Decimal | None = None
    remaining: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"total": money(self.total), "remaining": money(self.remaining)}


@dataclass(frozen=True, slots=True)
class Accumulator:
    """A deductible or out-of-pocket maximum, for the individual and for the family."""

    individual: Amounts = field(default_factory=Amounts)
    family: Amounts = field(default_factory=Amounts)

    def to_dict(self) -> dict[str, Any]:
        return {"individual": self.individual.to_dict(), "family": self.family.to_dict()}


@dataclass(frozen=True, slots=True)
class Copay:
    amount: Decimal | None = None
    per: str | None = None  # visit, day, admission, episode; None = not stated

    def to_dict(self) -> dict[str, Any]:
        return {"amount": money(self.amount), "per": self.per}


@dataclass(frozen=True, slots=True)
class TierBenefits:
    covered: bool | None = None
    copay: Copay = field(default_factory=Copay)
    coinsurance: Decimal | None = None
    deductible: Accumulator = field(default_factory=Accumulator)
    out_of_pocket: Accumulator = field(default_factory=Accumulator)

    def to_dict(self) -> dict[str, Any]:
        return {
            "covered": self.covered,
            "copay": self.copay.to_dict(),
            "coinsurance": fraction(self.coinsurance),
            "deductible": self.deductible.to_dict(),
            "out_of_pocket": self.out_of_pocket.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PlaceBenefits:
    """The cost share one tier gives at one place of service (III*ZZ*<POS> on the EB).

    ``program_place``: the place is one where this program is delivered (its ladder's list);
    rows for other places are shown too, marked, since a payer's office copay beside its
    outpatient-hospital copay is what a coordinator quotes from.
    """

    place: str  # CMS place-of-service code, two digits
    tier: Tier
    program_place: bool
    copay: Copay = field(default_factory=Copay)
    coinsurance: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "tier": self.tier.value,
            "program_place": self.program_place,
            "copay": self.copay.to_dict(),
            "coinsurance": fraction(self.coinsurance),
        }


@dataclass(frozen=True, slots=True)
class VisitLimit:
    allowed: int | None = None
    used: int | None = None
    remaining: int | None = None
    period: str | None = None  # calendar_year, service_year, year, lifetime ...

    @property
    def reported(self) -> bool:
        return (self.allowed, self.used, self.remaining) != (None, None, None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "used": self.used,
            "remaining": self.remaining,
            "period": self.period,
        }


@dataclass(frozen=True, slots=True)
class Assumption:
    """One estimate assumption: a key of ``messages.ESTIMATE`` and its fields.

    Field values are numbers, money strings or codes ("in_network", "session"), never words
    of one language, so the sentence can be said in any language when it is shown.
    """

    key: str
    fields: tuple[tuple[str, str | int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "fields": dict(self.fields)}


@dataclass(frozen=True, slots=True)
class Estimate:
    sessions: int | None = None
    patient_cost_low: Decimal | None = None
    patient_cost_high: Decimal | None = None
    assumptions: tuple[str, ...] = ()  # in English, for staff and existing readers
    # The same assumptions, one for one, as keys and fields for a visitor's own language.
    # Summaries stored before these existed have only the English ``assumptions``.
    assumption_keys: tuple[Assumption, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "patient_cost_low": money(self.patient_cost_low),
            "patient_cost_high": money(self.patient_cost_high),
            "assumptions": list(self.assumptions),
            "assumption_keys": [a.to_dict() for a in self.assumption_keys],
        }


@dataclass(frozen=True, slots=True)
class ErrorItem:
    code: str
    description: str
    follow_up: str | None
    retryable: bool
    loop: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "description": self.description,
            "follow_up": self.follow_up,
            "retryable": self.retryable,
            "loop": self.loop,
        }


@dataclass(frozen=True, slots=True)
class CarveOut:
    """The administrator's own answer, when the plan named one and we asked it too.

    ``summary`` is its CoverageSummary; ``error`` the reason its check failed instead.
    """

    payer_id: str
    summary: CoverageSummary | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.summary is None:
            return {"payer_id": self.payer_id, "error": self.error}
        return self.summary.to_dict() | {"payer_id": self.payer_id}


@dataclass(frozen=True, slots=True)
class Matching:
    """The payer matched the member only after a correction (``verifications.matching``).

    ``step`` is the ladder's key, ``corrected`` what staff read ("last name without suffix"),
    ``extra_calls`` how many payer calls beyond the first it took.
    """

    step: str
    corrected: str
    extra_calls: int

    @property
    def said(self) -> str:
        return f"matched after correcting: {self.corrected}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "corrected": self.corrected,
            "extra_calls": self.extra_calls,
            "said": self.said,
        }


@dataclass(frozen=True, slots=True)
class CoverageSummary:
    level_of_care: LevelOfCare
    condition: Condition
    coverage: Coverage
    network: Network
    preauthorization: Preauthorization
    administrator: Administrator | None
    in_network: TierBenefits
    out_of_network: TierBenefits
    visit_limit: VisitLimit
    estimate: Estimate
    messages: tuple[str, ...] = ()
    errors: tuple[ErrorItem, ...] = ()
    # For staff: summary path ("in_network.copay") -> where it came from ("EB*B**MH*...").
    # "notes" holds what the engine noticed but would not guess (conflicts, unlabelled tiers).
    evidence: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Set by the check after asking the administrator this summary names (a carve-out).
    carve_out: CarveOut | None = None
    # Set by the check when the member matched only after a correction (never hidden).
    matching: Matching | None = None
    # Optional keys (absent from the JSON when not reported, so summaries stored before
    # them read back unchanged): the member's eligibility dates, and the cost share by
    # place of service when the payer splits the program's rows by place.
    eligibility: Eligibility | None = None
    places: tuple[PlaceBenefits, ...] = ()

    def tier(self, tier: Tier) -> TierBenefits:
        return self.in_network if tier is Tier.IN_NETWORK else self.out_of_network

    def to_dict(self) -> dict[str, Any]:
        return {
            "level_of_care": self.level_of_care.value,
            "condition": self.condition.value,
            "coverage": self.coverage.to_dict(),
            "network": self.network.to_dict(),
            "preauthorization": self.preauthorization.to_dict(),
            "administrator": self.administrator.to_dict() if self.administrator else None,
            "benefits": {
                "in_network": self.in_network.to_dict(),
                "out_of_network": self.out_of_network.to_dict(),
            },
            "visit_limit": self.visit_limit.to_dict(),
            "estimate": self.estimate.to_dict(),
            "messages": list(self.messages),
            "errors": [e.to_dict() for e in self.errors],
            "evidence": {path: list(sources) for path, sources in self.evidence},
        } | (
            {"carve_out": self.carve_out.to_dict()} if self.carve_out is not None else {}
        ) | ({"matching": self.matching.to_dict()} if self.matching is not None else {}) | (
            {"eligibility": self.eligibility.to_dict()} if self.eligibility is not None else {}
        ) | ({"place_of_service": [p.to_dict() for p in self.places]} if self.places else {})

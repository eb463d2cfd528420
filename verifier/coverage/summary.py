"""summarize(): a payer's EligibilityResult -> the CoverageSummary for one program.

The reading rules live in their own modules (tiers, status, authorization, limits, estimate);
this one wires them together. Network status comes from the payer directory's contract flag,
never from the 271: EB12 only labels which tier a benefit belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from verifier.coverage.authorization import read_administrator, read_preauthorization
from verifier.coverage.estimate import estimate
from verifier.coverage.facility import FacilityProfile
from verifier.coverage.ladders import Ladder
from verifier.coverage.limits import read_visit_limit
from verifier.coverage.model import (
    Accumulator,
    Administrator,
    Amounts,
    Copay,
    Coverage,
    CoverageStatus,
    CoverageSummary,
    ErrorItem,
    Estimate,
    Network,
    NetworkStatus,
    Preauthorization,
    Tier,
    TierBenefits,
    VisitLimit,
)
from verifier.coverage.places import read_places
from verifier.coverage.reading import Trail, is_plan_wide, rank
from verifier.coverage.status import read_coverage, read_eligibility
from verifier.coverage.tiers import note_unlabelled, read_tier
from verifier.domain import Benefit, Condition, EligibilityResult, LevelOfCare

__all__ = [
    "Accumulator",
    "Administrator",
    "Amounts",
    "Copay",
    "Coverage",
    "CoverageStatus",
    "CoverageSummary",
    "ErrorItem",
    "Estimate",
    "Network",
    "NetworkStatus",
    "Preauthorization",
    "Tier",
    "TierBenefits",
    "VisitLimit",
    "summarize",
]


def summarize(
    result: EligibilityResult,
    *,
    level: LevelOfCare,
    condition: Condition,
    facility: FacilityProfile,
    in_network: bool | None,
    payer_name: str | None = None,
    service_date: dt.date | None = None,
) -> CoverageSummary:
    """The summary for one program, with coverage read at ``service_date`` (the request's;
    without it, the date the 271 echoes or its BHT date)."""
    ladder = facility.ladder(level, condition)
    patient = result.patient
    benefits: Sequence[Benefit] = patient.benefits if patient is not None else ()
    trail = Trail()

    coverage = read_coverage(result, ladder, trail, service_date) if benefits else Coverage()
    tiers = {tier: read_tier(benefits, ladder, tier, trail) for tier in Tier}
    note_unlabelled(benefits, ladder, trail)
    network_tier = None if in_network is None else (
        Tier.IN_NETWORK if in_network else Tier.OUT_OF_NETWORK
    )
    visit_limit = read_visit_limit(benefits, ladder, level, network_tier, trail)
    preauth = read_preauthorization(benefits, ladder, level)
    if preauth.evidence:
        trail.cite("preauthorization.required", *preauth.evidence)
    return CoverageSummary(
        level_of_care=level,
        condition=condition,
        coverage=coverage,
        network=_network(in_network, payer_name or result.payer.name),
        preauthorization=preauth,
        administrator=read_administrator(benefits, ladder, trail, condition),
        in_network=tiers[Tier.IN_NETWORK],
        out_of_network=tiers[Tier.OUT_OF_NETWORK],
        visit_limit=visit_limit,
        estimate=estimate(
            program=facility.program(level),
            status=coverage.status,
            has_benefits=bool(benefits),
            in_network=in_network,
            tiers=tiers,
            visit_limit=visit_limit,
        ),
        messages=_messages(benefits, ladder),
        errors=tuple(
            ErrorItem(
                code=e.reject_code,
                description=e.reject_description,
                follow_up=e.follow_up,
                retryable=e.retryable,
                loop=e.loop,
            )
            for e in result.errors
        ),
        eligibility=read_eligibility(result, trail) if benefits else None,
        places=read_places(benefits, ladder, trail),
        evidence=trail.frozen(),
    )


def _network(in_network: bool | None, payer_name: str | None) -> Network:
    payer = payer_name or "this payer"
    if in_network is None:
        return Network(
            NetworkStatus.UNKNOWN,
            f"the payer directory has no contract flag for {payer}; a 271 does not say",
        )
    if in_network:
        return Network(NetworkStatus.IN_NETWORK, f"facility contract with {payer}")
    return Network(NetworkStatus.OUT_OF_NETWORK, f"no facility contract with {payer}")


def _messages(benefits: Sequence[Benefit], ladder: Ladder) -> tuple[str, ...]:
    """Payer MSG text on the program's own EBs and on plan-wide (30 or no-STC) EBs."""
    found: dict[str, None] = {}
    for b in benefits:
        if rank(b, ladder) is None and not is_plan_wide(b) and b.service_types:
            continue
        for text in b.messages:
            found.setdefault(text.strip(), None)
    return tuple(t for t in found if t)

"""Coverage summaries as the engine builds them, for tests of what reads them.

``active_iop()`` is the sandbox's SBX-ACTIVE answer (docs: README "Sandbox payer
scenarios"): active, in network, $30 copay, 20 % coinsurance, $400 of the deductible and
$3,200 of the out-of-pocket left, 18 of 30 visits left. Tests change one fact with
``dataclasses.replace`` so each shows the fact it is about.

Reproduces no published reference: a CoverageSummary is our own model; the 271s it stands
for are in tests/fixtures (SOURCES.md names each file's origin).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from verifier.coverage.model import (
    Accumulator,
    Administrator,
    Amounts,
    Copay,
    Coverage,
    CoverageStatus,
    CoverageSummary,
    Estimate,
    Network,
    NetworkStatus,
    Preauthorization,
    TierBenefits,
    VisitLimit,
)
from verifier.domain import Condition, LevelOfCare


def active_iop() -> CoverageSummary:
    return CoverageSummary(
        level_of_care=LevelOfCare.IOP,
        condition=Condition.MENTAL_HEALTH,
        coverage=Coverage(CoverageStatus.ACTIVE, plan_name="SANDBOX PPO"),
        network=Network(NetworkStatus.IN_NETWORK, "facility contract"),
        preauthorization=Preauthorization(required=False),
        administrator=None,
        in_network=TierBenefits(
            covered=True,
            copay=Copay(Decimal("30"), "visit"),
            coinsurance=Decimal("0.2"),
            deductible=Accumulator(Amounts(Decimal("1500"), Decimal("400"))),
            out_of_pocket=Accumulator(Amounts(Decimal("5000"), Decimal("3200"))),
        ),
        out_of_network=TierBenefits(),
        visit_limit=VisitLimit(allowed=30, used=12, remaining=18, period="calendar_year"),
        estimate=Estimate(),
        evidence=(("in_network.copay", ("EB*B*IND*MH*...*30",)),),
    )


def with_visits_left(summary: CoverageSummary, remaining: int) -> CoverageSummary:
    return replace(summary, visit_limit=replace(summary.visit_limit, remaining=remaining))


def carved_out(summary: CoverageSummary) -> CoverageSummary:
    """The plan names a behavioral-health administrator instead of answering itself."""
    return replace(
        summary, administrator=Administrator("SANDBOX BEHAVIORAL HEALTH", "SANDBOX-BH", None)
    )

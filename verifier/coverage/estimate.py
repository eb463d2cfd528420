"""The patient's expected cost for a program, as a low-high range with its assumptions.

Method: walk the program's sessions (the facility schedule, low and high counts) one by one
at the facility's allowed amount. Each covered session first pays toward the remaining
deductible, then the copay and coinsurance on the rest; covered spending stops at the
remaining out-of-pocket maximum; sessions beyond the remaining visit limit cost the full
allowed amount and do not count toward the maximum.

Every unknown widens the range instead of being taken as zero, and is named:
- copay or coinsurance not reported: the low end charges only what is reported, the high end
  the full allowed amount (a missing coinsurance segment is not 0 %, RFI 990);
- deductible not reported: the low end takes it as met, the high end as never met;
- out-of-pocket maximum not reported: no cap on the high end;
- coverage of the program on this tier not confirmed: the high end is the full amount, uncapped;
- visit limit allowed but used unknown: the high end takes the visits as used.
Both copay and coinsurance: plans either charge one or stack them, so the low end takes the
smaller and the high end the copay plus coinsurance on the rest. A copay-only plan often
waives the deductible, so the low end does too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from verifier.coverage.facility import Program
from verifier.coverage.messages import DEFAULT_LANGUAGE, assumption_text
from verifier.coverage.model import (
    Assumption,
    CoverageStatus,
    Estimate,
    Tier,
    TierBenefits,
    VisitLimit,
    money,
)

ZERO = Decimal(0)
ONE = Decimal(1)
ONCE = frozenset({"admission", "episode"})


@dataclass(frozen=True, slots=True)
class _Case:
    """One end of the range: every unknown already resolved to its best or worst value."""

    sessions: int
    covered_sessions: int
    deductible: Decimal | None  # remaining; None = never met
    copay: Decimal
    copay_each_session: bool
    coinsurance: Decimal
    stack: bool  # copay plus coinsurance on the rest (else the smaller of the two)
    waive_deductible: bool
    oop: Decimal | None  # remaining cap; None = no cap


def _cost(case: _Case, allowed: Decimal) -> Decimal:
    deductible = case.deductible
    covered = ZERO
    for i in range(case.covered_sessions):
        if deductible is None:
            covered += allowed
            continue
        toward = ZERO if case.waive_deductible else min(allowed, deductible)
        deductible -= toward
        rest = allowed - toward
        copay = min(case.copay, rest) if (case.copay_each_session or i == 0) else ZERO
        if case.stack:
            share = copay + case.coinsurance * (rest - copay)
        else:
            share = _either(copay, case.coinsurance, rest)
        covered += toward + share
    if case.oop is not None:
        covered = min(covered, case.oop)
    return covered + (case.sessions - case.covered_sessions) * allowed


def _either(copay: Decimal, coinsurance: Decimal, rest: Decimal) -> Decimal:
    """The smaller share when a plan may charge a copay or a coinsurance, not both."""
    if not copay:
        return coinsurance * rest
    if not coinsurance:
        return copay
    return min(copay, coinsurance * rest)


def _min_known(*values: Decimal | None) -> Decimal | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _tier_range(
    tier: Tier,
    benefits: TierBenefits,
    limit: VisitLimit,
    program: Program,
    say: Callable[..., None],
) -> tuple[Decimal, Decimal]:
    low_n, high_n = program.sessions_low, program.sessions_high
    allowed = program.allowed_amount
    where = tier.value
    full_low, full_high = low_n * allowed, high_n * allowed
    if benefits.covered is False:
        say("not_covered", where=where)
        return full_low, full_high

    copay, coins = benefits.copay.amount, benefits.coinsurance
    if copay is None:
        say("no_copay", where=where)
    if coins is None:
        say("no_coinsurance", where=where)
    per = benefits.copay.per
    if copay is not None and per is None:
        say("copay_period", where=where)

    ded = benefits.deductible
    ded_high = _min_known(ded.individual.remaining, ded.family.remaining)
    if ded.individual.remaining is None:
        ded_high = _min_known(ded_high, ded.individual.total)
        say("no_deductible", where=where)
    ded_low = ZERO if ded.individual.remaining is None else ded_high
    oop = benefits.out_of_pocket
    oop_cap = _min_known(oop.individual.remaining, oop.family.remaining)
    if oop_cap is None:
        oop_cap = _min_known(oop.individual.total, oop.family.total)
        if oop_cap is None:
            say("no_oop", where=where)

    low_covered, high_covered = low_n, high_n
    if limit.remaining is not None:
        low_covered, high_covered = min(low_n, limit.remaining), min(high_n, limit.remaining)
        if limit.remaining <= 0:
            say("visits_exhausted")
        elif high_n > limit.remaining:
            say("visits_remaining", remaining=limit.remaining)
    elif limit.allowed is not None:
        low_covered, high_covered = min(low_n, limit.allowed), 0
        say("visits_used_unknown", allowed=limit.allowed)

    low = _cost(
        _Case(
            sessions=low_n,
            covered_sessions=low_covered,
            deductible=ded_low,
            copay=copay or ZERO,
            copay_each_session=per not in ONCE and per is not None,
            coinsurance=coins or ZERO,
            stack=False,
            waive_deductible=bool(copay) and not coins,
            oop=oop_cap,
        ),
        allowed,
    )
    if benefits.covered is None:
        say("coverage_unconfirmed_tier", where=where)
        return low, full_high
    high = _cost(
        _Case(
            sessions=high_n,
            covered_sessions=high_covered,
            deductible=ded_high,
            copay=copay if copay is not None and coins is not None else ZERO,
            copay_each_session=per not in ONCE,
            coinsurance=coins if copay is not None and coins is not None else ONE,
            stack=True,
            waive_deductible=False,
            oop=oop_cap,
        ),
        allowed,
    )
    return low, max(low, high)


def estimate(
    *,
    program: Program,
    status: CoverageStatus,
    has_benefits: bool,
    in_network: bool | None,
    tiers: dict[Tier, TierBenefits],
    visit_limit: VisitLimit,
) -> Estimate:
    low_n, high_n = program.sessions_low, program.sessions_high
    schedule = "schedule_range" if low_n != high_n else "schedule_point"
    # Kept as keys and codes so a visitor can read them in their own language (plain.py);
    # the English sentences are rendered from the same keys for staff.
    assumptions: list[Assumption] = []

    def say(key: str, **fields: str | int) -> None:
        found = Assumption(key, tuple(sorted(fields.items())))
        if found not in assumptions:
            assumptions.append(found)

    def done(low: Decimal | None, high: Decimal | None) -> Estimate:
        english = tuple(
            assumption_text(DEFAULT_LANGUAGE, a.key, dict(a.fields)) for a in assumptions
        )
        return Estimate(low_n, low, high, english, tuple(assumptions))

    say(schedule, low=low_n, high=high_n, unit=program.unit)
    say("allowed", amount=money(program.allowed_amount) or "0.00", per=program.unit)

    # Coverage inactive or not confirmed: no estimate (issue 14, coverage/words.py). A cost
    # for a plan that has ended, or that may not exist, is a number a family would trust.
    if status is CoverageStatus.INACTIVE:
        say("inactive")
        return done(None, None)
    if not has_benefits:
        say("no_benefits")
        return done(None, None)
    if status is CoverageStatus.UNKNOWN:
        say("coverage_unconfirmed")
        return done(None, None)

    if in_network is None:
        say("network_unknown")
        chosen = [Tier.IN_NETWORK, Tier.OUT_OF_NETWORK]
    else:
        chosen = [Tier.IN_NETWORK if in_network else Tier.OUT_OF_NETWORK]
    ranges = [_tier_range(t, tiers[t], visit_limit, program, say) for t in chosen]
    low = min(r[0] for r in ranges)
    high = max(r[1] for r in ranges)
    if Tier.OUT_OF_NETWORK in chosen:
        say("balance_billing")
    if visit_limit.reported is False:
        say("no_visit_limit")
    return done(low, high)

"""In- and out-of-network benefits for one program: covered, copay, coinsurance, accumulators.

Rules (docs/design.md §7):
- Copay and coinsurance come only from the program's ladder codes (or its procedure codes),
  never from 30, 98 or another service. They are read as a pair from the most specific rung
  that reports either, so a copay from MH is never combined with a coinsurance from A8.
- Deductible and out-of-pocket come from the most specific ladder rung that reports them for
  that tier and level, else from 30 (a plan-wide value reported once, CORE 154).
- A tier takes an EB only when EB12 names it (Y, N, or W for both). A blank or U EB12 says
  nothing about the network, so its value goes to neither tier; a note keeps it for staff.
- ``remaining`` is read from EB06 29. When only the total and the amount met (24) are
  reported, in the same rung, tier and level, remaining is their difference (exact arithmetic
  on two reported numbers, cited as derived), floored at 0.
- Two different values for the same field in the same rung are a conflict: not reported, noted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from verifier.coverage.ladders import Ladder
from verifier.coverage.model import Accumulator, Amounts, Copay, Tier, TierBenefits
from verifier.coverage.reading import (
    ACTIVE,
    COPAY_PER,
    MET,
    REMAINING,
    TOTAL_PERIODS,
    Trail,
    is_plan_wide,
    level_of,
    most_specific,
    places_of,
    rank,
    render_eb,
    scoped_rank,
    tiers_of,
)
from verifier.domain import Benefit

POSITIVE = ACTIVE | {"A", "B", "C", "F"}  # a status, cost share or limit implies coverage
KIND_NAMES = {"C": "deductible", "G": "out_of_pocket"}


def read_tier(
    benefits: Sequence[Benefit], ladder: Ladder, tier: Tier, trail: Trail
) -> TierBenefits:
    on_tier = [b for b in benefits if tier in tiers_of(b)]
    ranked = [(r, b) for b in on_tier if (r := scoped_rank(b, ladder)) is not None]
    copay, coinsurance = cost_share(ranked, tier.value, trail)
    return TierBenefits(
        covered=_covered(ranked, tier, trail),
        copay=copay,
        coinsurance=coinsurance,
        deductible=_accumulator("C", on_tier, ladder, tier, trail),
        out_of_pocket=_accumulator("G", on_tier, ladder, tier, trail),
    )


def note_unlabelled(benefits: Sequence[Benefit], ladder: Ladder, trail: Trail) -> None:
    """Keep values whose EB12 is blank/U visible to staff, since no tier may show them."""
    for b in benefits:
        if tiers_of(b) or b.info not in {"A", "B", "C", "G", "I"}:
            continue
        if rank(b, ladder) is None and not (b.info in KIND_NAMES and is_plan_wide(b)):
            continue
        if b.info != "I" and b.amount is None and b.percent is None:
            continue
        trail.note(
            f"{render_eb(b)}: the payer did not say which network this applies to "
            "(EB12 blank or U), so it is shown for neither."
        )


Ranked = list[tuple[tuple[int, int], Benefit]]


def _covered(ranked: Ranked, tier: Tier, trail: Trail) -> bool | None:
    relevant = [(r, b) for r, b in ranked if b.info in POSITIVE or b.info == "I"]
    best = most_specific(relevant)
    if best is None:
        return None
    _, rows = best
    says_no = [b for b in rows if b.info == "I"]
    says_yes = [b for b in rows if b.info != "I"]
    path = f"{tier.value}.covered"
    if says_no and says_yes:
        trail.note(
            f"{tier.value}: the payer reports this service both covered and not covered "
            f"({render_eb(says_yes[0])} vs {render_eb(says_no[0])}); shown as not reported."
        )
        return None
    trail.cite(path, *(render_eb(b) for b in rows))
    return not says_no


def cost_share(ranked: Ranked, path: str, trail: Trail) -> tuple[Copay, Decimal | None]:
    """Copay and coinsurance as a pair from the most specific rung; ``path`` prefixes the
    evidence keys ("in_network" gives "in_network.copay")."""
    rows = [
        (r, b)
        for r, b in ranked
        if (b.info == "B" and b.amount is not None) or (b.info == "A" and b.percent is not None)
    ]
    best = most_specific(rows)
    if best is None:
        return Copay(), None
    _, group = best
    copays = [b for b in group if b.info == "B"]
    coins = [b for b in group if b.info == "A"]

    copay = Copay()
    values = {(b.amount, COPAY_PER.get(b.time_period or "")) for b in copays}
    if len(values) == 1:
        amount, per = values.pop()
        copay = Copay(amount=amount, per=per)
        trail.cite(f"{path}.copay", *(render_eb(b) for b in copays))
    elif values:
        _conflict(trail, f"{path}.copay", copays)

    coinsurance: Decimal | None = None
    percents = distinct_percents(coins)
    if len(percents) == 1:
        coinsurance = percents[0]
        trail.cite(f"{path}.coinsurance", *(render_eb(b) for b in coins))
    elif percents:
        _conflict(trail, f"{path}.coinsurance", coins)
    return copay, coinsurance


# EB02 codes per level, most direct first: one code answers a level, so a total for the
# individual (IND) is never paired with a remaining for employee-only coverage (EMP).
LEVEL_CODES = {"individual": ("IND", "EMP"), "family": ("FAM", "ESP", "ECH", "SPC")}


def _accumulator(
    kind: str, on_tier: list[Benefit], ladder: Ladder, tier: Tier, trail: Trail
) -> Accumulator:
    """Deductible or out-of-pocket for each level, its total and remaining found apart.

    The most specific rung that reports a total and the most specific rung that reports a
    remaining are chosen separately: payers often send the plan-level total on 30 and only
    what remains on the program's own code, and one must not hide the other.
    """
    fallback = len(ladder.read) + 1  # 30 ranks below every rung
    levels: dict[str, Amounts] = {}
    for level, level_codes in LEVEL_CODES.items():
        ranked: Ranked = []
        for b in on_tier:
            if b.info != kind or b.amount is None or level_of(b) != level:
                continue
            if not _accumulator_period(b):
                continue
            r = scoped_rank(b, ladder)
            if r is None and is_plan_wide(b) and (place := ladder.place_rank(
                    places_of(b))) is not None:
                r = (fallback, place)
            if r is not None:
                ranked.append((r, b))
        code = next((c for c in level_codes
                     if any((b.coverage_level or "").upper() == c for _, b in ranked)), None)
        ranked = [(r, b) for r, b in ranked if (b.coverage_level or "").upper() == code]
        path = f"{tier.value}.{KIND_NAMES[kind]}.{level}"
        levels[level] = _amounts(ranked, path, trail)
    return Accumulator(individual=levels["individual"], family=levels["family"])


def _accumulator_period(b: Benefit) -> bool:
    return b.time_period in TOTAL_PERIODS or b.time_period in {MET, REMAINING}


def _is_total(b: Benefit) -> bool:
    return b.time_period in TOTAL_PERIODS


def _is_remaining(b: Benefit) -> bool:
    return b.time_period == REMAINING


def _is_met(b: Benefit) -> bool:
    return b.time_period == MET


def _amounts(ranked: Ranked, path: str, trail: Trail) -> Amounts:
    totals = most_specific((r, b) for r, b in ranked if _is_total(b))
    total = None if totals is None else _one(totals[1], _is_total, f"{path}.total", trail)
    remainings = most_specific((r, b) for r, b in ranked if _is_remaining(b))
    if remainings is not None:
        remaining = _one(remainings[1], _is_remaining, f"{path}.remaining", trail)
        return Amounts(total=total, remaining=remaining)
    # No remaining reported: derive it from a total and an amount met in one rung, the
    # most specific rung that reports both.
    rungs = sorted({r for r, b in ranked if _is_met(b)} & {r for r, b in ranked if _is_total(b)})
    remaining = None
    if rungs:
        rows = [b for r, b in ranked if r == rungs[0]]
        rung_total = _one(rows, _is_total, f"{path}.total", trail, cite=False)
        met = _one(rows, _is_met, f"{path}.met", trail)
        if rung_total is not None and met is not None:
            remaining = max(rung_total - met, Decimal(0))
            trail.cite(f"{path}.remaining", f"derived: total {rung_total} - met {met}")
    return Amounts(total=total, remaining=remaining)


def _one(
    rows: list[Benefit], keep: Callable[[Benefit], bool], path: str, trail: Trail,
    cite: bool = True,
) -> Decimal | None:
    chosen = [b for b in rows if keep(b)]
    values = distinct_amounts(chosen)
    if len(values) == 1:
        if cite:
            trail.cite(path, *(render_eb(b) for b in chosen))
        return values[0]
    if values and cite:
        _conflict(trail, path, chosen)
    return None


def distinct_amounts(rows: list[Benefit]) -> list[Decimal]:
    return sorted({b.amount for b in rows if b.amount is not None})


def distinct_percents(rows: list[Benefit]) -> list[Decimal]:
    return sorted({b.percent for b in rows if b.percent is not None})


def _conflict(trail: Trail, path: str, rows: list[Benefit]) -> None:
    listed = "; ".join(render_eb(b) for b in rows)
    trail.note(f"{path}: the payer reports different values ({listed}); shown as not reported.")

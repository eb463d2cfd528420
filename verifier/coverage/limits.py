"""Visit (or day) limits for the program, from EB09/EB10 and HSD.

Only the program's own codes (and places of service) count: a chiropractic visit limit is
not an IOP limit. EB06 or HSD05 29/33 mean remaining, EB09 99 means used, other periods
(23, 22, 21, 32 ...) the limit itself. Remaining is derived as allowed - used only when both
are reported. Rows for the other network tier are skipped when our network status is known;
EB12 blank or W rows always count.

Free text is evidence, never a number (DESIGN §7): a MSG such as "30 VISITS PER CALENDAR
YEAR" is not read into ``allowed``; it is cited under ``visit_limit.payer_text`` so staff see
it next to the structured fields (and can confirm it with the payer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from verifier.coverage.ladders import Ladder
from verifier.coverage.model import Tier, VisitLimit
from verifier.coverage.reading import (
    PERIOD_NAMES,
    Trail,
    most_specific,
    render_eb,
    render_hsd,
    scoped_rank,
    tiers_of,
)
from verifier.domain import Benefit, LevelOfCare

REMAINING_PERIODS = frozenset({"29", "33"})
USED = "99"
UNITS = frozenset({"VS", "DY"})

# A message that speaks of a visit or day count: shown to staff, never parsed into one.
_MSG_MENTIONS_LIMIT = re.compile(r"\d\s*(?:VISITS?|DAYS?|SESSIONS?)\b|\bLIMIT", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Fact:
    unit: str  # VS or DY
    field: str  # allowed, used, remaining
    value: Decimal
    period: str | None
    source: str


def read_visit_limit(
    benefits: Sequence[Benefit],
    ladder: Ladder,
    level: LevelOfCare,
    tier: Tier | None,
    trail: Trail,
) -> VisitLimit:
    ranked: list[tuple[tuple[int, int], _Fact]] = []
    for b in benefits:
        r = scoped_rank(b, ladder)
        tiers = tiers_of(b)
        if r is None or (tier is not None and tiers and tier not in tiers):
            continue
        ranked += [(r, fact) for fact in _facts(b)]
        for text in b.messages:
            if _MSG_MENTIONS_LIMIT.search(text):
                trail.cite("visit_limit.payer_text", f"MSG: {text} (on {render_eb(b)})")
    preferred = ("DY", "VS") if level is LevelOfCare.INPATIENT else ("VS", "DY")
    for unit in preferred:
        best = most_specific([(r, f) for r, f in ranked if f.unit == unit])
        if best is not None:
            return _limit(best[1], trail)
    return VisitLimit()


def _facts(b: Benefit) -> list[_Fact]:
    facts: list[_Fact] = []
    eb = render_eb(b)
    if b.quantity is not None and b.quantity_qualifier in UNITS:
        field = "remaining" if b.time_period in REMAINING_PERIODS else "allowed"
        period = PERIOD_NAMES.get(b.time_period or "")
        facts.append(_Fact(b.quantity_qualifier, field, b.quantity, period, eb))
    if b.quantity is not None and b.quantity_qualifier == USED:
        unit = "DY" if any(h.quantity_qualifier == "DY" for h in b.delivery_limits) else "VS"
        facts.append(_Fact(unit, "used", b.quantity, None, eb))
    for hsd in b.delivery_limits:
        if hsd.quantity is None or hsd.quantity_qualifier not in UNITS:
            continue
        field = "remaining" if hsd.time_period in REMAINING_PERIODS else "allowed"
        period = _hsd_period(hsd.time_period, hsd.periods)
        source = f"{render_hsd(hsd)} on {eb}"
        facts.append(_Fact(hsd.quantity_qualifier, field, hsd.quantity, period, source))
    return facts


def _hsd_period(code: str | None, periods: Decimal | None) -> str | None:
    if code == "21" and periods not in (None, Decimal(1)):
        return None  # "per 2 years" has no name in our vocabulary; the evidence keeps it
    return PERIOD_NAMES.get(code or "")


def _limit(facts: list[_Fact], trail: Trail) -> VisitLimit:
    values: dict[str, int | None] = {}
    for field in ("allowed", "used", "remaining"):
        chosen = [f for f in facts if f.field == field]
        distinct = sorted({f.value for f in chosen})
        if len(distinct) == 1 and distinct[0] == distinct[0].to_integral_value():
            values[field] = int(distinct[0])
            trail.cite(f"visit_limit.{field}", *dict.fromkeys(f.source for f in chosen))
        else:
            values[field] = None
            if distinct:
                listed = "; ".join(dict.fromkeys(f.source for f in chosen))
                trail.note(
                    f"visit_limit.{field}: the payer reports different values ({listed}); "
                    "shown as not reported."
                )
    allowed, used, remaining = values["allowed"], values["used"], values["remaining"]
    if remaining is None and allowed is not None and used is not None:
        remaining = max(allowed - used, 0)
        trail.cite("visit_limit.remaining", f"derived: allowed {allowed} - used {used}")
    periods = {f.period for f in facts if f.period is not None and f.field == "allowed"}
    periods = periods or {f.period for f in facts if f.period is not None}
    period = periods.pop() if len(periods) == 1 else None
    return VisitLimit(allowed=allowed, used=used, remaining=remaining, period=period)

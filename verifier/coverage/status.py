"""Coverage status, plan name, group number and plan dates.

Status: EB01 1-5 (active) or 6-8 (inactive) on 30, on an EB with no service type (4010
plan-level rows such as Medicare ``EB*1*IND**MA``) or on one of the program's codes, read
**at the date of service** (DESIGN §7): each row's own eligibility dates (DTP 307, 291 or 292
ranges, 356 begin, 357 end on the EB), else for an active row the member's (the same
qualifiers plus 346/347 plan begin/end), decide whether it speaks for that date. A span that
ended before it is history; one that begins after it is not yet in force. The date is the
request's service date, else the one the 271 echoes (DTP 472/291 on the member), else the
271's BHT date.

Active and inactive rows in force together are a contradiction: unknown, noted. Active rows
that all ended before the date of service mean the plan had ended: inactive, noted. No
benefits at all (an AAA answer) is unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from verifier.coverage.ladders import Ladder
from verifier.coverage.model import Coverage, CoverageStatus, Eligibility
from verifier.coverage.reading import (
    ACTIVE,
    INACTIVE,
    Trail,
    is_plan_wide,
    rank,
    render_dtp,
    render_eb,
)
from verifier.domain import Benefit, DateInfo, EligibilityResult, MemberResult, Reference

GROUP_QUALIFIERS = ("6P", "1L")
SERVICE_DATE_QUALIFIERS = ("472", "291")
OPEN_ENDED_YEAR = 9999
# DTP qualifiers that bound eligibility: ranges (307 eligibility, 291 plan, 292 benefit),
# begin dates (356 eligibility begin, 346 plan begin) and end dates (357, 347).
RANGE_QUALIFIERS = frozenset({"307", "291", "292"})
BEGIN_QUALIFIERS = frozenset({"356", "346"})
END_QUALIFIERS = frozenset({"357", "347"})
_BENEFIT_BEGIN = frozenset({"356"})  # 346/347 are plan dates: member level only
_BENEFIT_END = frozenset({"357"})

Span = tuple[dt.date | None, dt.date | None, tuple[DateInfo, ...]]
When = Literal["current", "ended", "future"]


def read_coverage(
    result: EligibilityResult,
    ladder: Ladder,
    trail: Trail,
    service_date: dt.date | None = None,
) -> Coverage:
    patient = result.patient
    if patient is None:
        return Coverage()
    members = _members(result, patient)
    status_rows = [b for b in patient.benefits if _status_row(b, ladder)]
    on = service_date or _echoed_service_date(members) or result.transaction_date
    status = _status(status_rows, on, _member_span(members), trail)
    return Coverage(
        status=status,
        plan_name=_plan_name(status_rows, trail),
        group_number=_group_number(members, status_rows, trail),
        **_plan_dates(members, status_rows, trail),
    )


def read_eligibility(result: EligibilityResult, trail: Trail) -> Eligibility | None:
    """The member's own eligibility span: DTP 356/357 (begin/end), else a 307 range, from
    the patient's loop, then the subscriber's, then a plan-wide active EB's own dates (where
    payers such as the PokitDok mock put 356). None when none says it: not reported.

    Plan dates (346/347, 291) say when the plan runs; these say when this member is on it.
    """
    patient = result.patient
    if patient is None:
        return None
    sources = [m.dates for m in _members(result, patient)]
    sources += [b.dates for b in patient.benefits if b.info in ACTIVE and is_plan_wide(b)]
    for dates in sources:
        begin = next((d for d in dates if d.qualifier == "356" and d.start), None)
        end = next((d for d in dates if d.qualifier == "357" and d.start), None)
        if begin is not None or end is not None:
            if begin is not None:
                trail.cite("eligibility.begin", render_dtp(begin))
            if end is not None:
                trail.cite("eligibility.end", render_dtp(end))
            return Eligibility(
                begin.start if begin else None,
                _open(end.start) if end else (_open(begin.end) if begin else None),
            )
        span = next((d for d in dates if d.qualifier == "307" and d.start), None)
        if span is not None:
            trail.cite("eligibility.begin", render_dtp(span))
            if _open(span.end) is not None:
                trail.cite("eligibility.end", render_dtp(span))
            return Eligibility(span.start, _open(span.end))
    return None


def _members(result: EligibilityResult, patient: MemberResult) -> list[MemberResult]:
    """The patient first; for a dependent, the subscriber's loop holds the plan's facts too."""
    found = [patient]
    if result.subscriber is not None and result.subscriber is not patient:
        found.append(result.subscriber)
    return found


def _status_row(b: Benefit, ladder: Ladder) -> bool:
    if b.info not in ACTIVE | INACTIVE:
        return False
    return not b.service_types or is_plan_wide(b) or rank(b, ladder) is not None


def _echoed_service_date(members: list[MemberResult]) -> dt.date | None:
    for qualifier in SERVICE_DATE_QUALIFIERS:
        for member in members:
            for d in member.dates:
                if d.qualifier == qualifier and d.start is not None and d.end is None:
                    return d.start
    return None


def _span(dates: Sequence[DateInfo], begins: frozenset[str], ends: frozenset[str]) -> Span:
    begin: dt.date | None = None
    end: dt.date | None = None
    used: list[DateInfo] = []
    for d in dates:
        if d.qualifier in RANGE_QUALIFIERS and d.start is not None and d.end is not None:
            begin, end = max(filter(None, (begin, d.start))), _open(d.end) or end
            used.append(d)
        elif d.qualifier in begins and d.start is not None:
            begin = d.start
            used.append(d)
        elif d.qualifier in ends and d.start is not None:
            end = _open(d.start)
            used.append(d)
    return begin, end, tuple(used)


def _member_span(members: list[MemberResult]) -> Span:
    for member in members:
        span = _span(member.dates, BEGIN_QUALIFIERS, END_QUALIFIERS)
        if span[2]:
            return span
    return None, None, ()


def _when(b: Benefit, on: dt.date | None, member_span: Span) -> tuple[When, Span]:
    span = _span(b.dates, _BENEFIT_BEGIN, _BENEFIT_END)
    if not span[2] and b.info in ACTIVE:
        # An active row without dates of its own is active for the member's plan dates. An
        # inactive row without its own dates says the plan is not in force: the plan's end
        # date before the service date agrees with it, it does not make it history.
        span = member_span
    begin, end, _ = span
    if on is None:
        return "current", span
    if end is not None and end < on:
        return "ended", span
    if begin is not None and begin > on:
        return "future", span
    return "current", span


def _status(
    rows: list[Benefit], on: dt.date | None, member_span: Span, trail: Trail
) -> CoverageStatus:
    current: list[Benefit] = []
    ended_active: list[tuple[Benefit, Span]] = []
    future: list[Benefit] = []
    for b in rows:
        when, span = _when(b, on, member_span)
        if when == "current":
            current.append(b)
            continue
        dates = ", ".join(render_dtp(d) for d in span[2])
        if when == "ended":
            if b.info in ACTIVE:
                ended_active.append((b, span))
            trail.note(
                f"{render_eb(b)} ({dates}) ended before the date of service {on}; it is "
                "history, not today's status."
            )
        else:
            future.append(b)
            trail.note(
                f"{render_eb(b)} ({dates}) begins after the date of service {on}; it is "
                "not in force on that date."
            )
    active = [b for b in current if b.info in ACTIVE]
    inactive = [b for b in current if b.info in INACTIVE]
    if active and inactive:
        trail.note(
            f"The payer reports coverage both active ({render_eb(active[0])}) and inactive "
            f"({render_eb(inactive[0])}); status shown as unknown."
        )
        return CoverageStatus.UNKNOWN
    if active:
        trail.cite("coverage.status", *(render_eb(b) for b in active))
        return CoverageStatus.ACTIVE
    if inactive:
        trail.cite("coverage.status", *(render_eb(b) for b in inactive))
        return CoverageStatus.INACTIVE
    if ended_active and not future:
        trail.cite(
            "coverage.status",
            *(f"{render_eb(b)} ended {span[1]}" for b, span in ended_active),
        )
        return CoverageStatus.INACTIVE
    return CoverageStatus.UNKNOWN


def _plan_name(rows: Sequence[Benefit], trail: Trail) -> str | None:
    """EB05 of an active EB on 30 (CORE: the plan name goes there), else on a program code."""
    active = [b for b in rows if b.info in ACTIVE and b.plan_description]
    for b in sorted(active, key=lambda b: not is_plan_wide(b)):
        if b.service_types:
            trail.cite("coverage.plan_name", render_eb(b))
            return b.plan_description
    return None


def _group_number(
    members: list[MemberResult], rows: Sequence[Benefit], trail: Trail
) -> str | None:
    sources: list[tuple[Reference, ...]] = [m.references for m in members]
    sources += [b.references for b in rows if b.info in ACTIVE and is_plan_wide(b)]
    for qualifier in GROUP_QUALIFIERS:
        for refs in sources:
            for ref in refs:
                if ref.qualifier == qualifier and ref.value.strip():
                    trail.cite("coverage.group_number", f"REF*{ref.qualifier}*{ref.value}")
                    return ref.value.strip()
    return None


def _plan_dates(
    members: list[MemberResult], rows: Sequence[Benefit], trail: Trail
) -> dict[str, dt.date | None]:
    """346/347 plan begin/end, else 356/357 eligibility begin/end, else a 291 RD8 range."""
    dates: list[DateInfo] = [d for m in members for d in m.dates]
    dates += [d for b in rows if b.info in ACTIVE and is_plan_wide(b) for d in b.dates]
    for begin_q, end_q in (("346", "347"), ("356", "357")):
        begin = next((d for d in dates if d.qualifier == begin_q and d.start), None)
        end = next((d for d in dates if d.qualifier == end_q and d.start), None)
        if begin is None and end is None:
            continue
        found: dict[str, dt.date | None] = {"plan_begin": None, "plan_end": None}
        if begin is not None:
            found["plan_begin"] = begin.start
            trail.cite("coverage.plan_begin", render_dtp(begin))
            if begin.end is not None and end is None:
                found["plan_end"] = _open(begin.end)
        if end is not None:
            found["plan_end"] = _open(end.start)
        if found["plan_end"] is not None:
            trail.cite("coverage.plan_end", render_dtp(end or begin))  # type: ignore[arg-type]
        return found
    plan = next((d for d in dates if d.qualifier == "291" and d.start and d.end), None)
    if plan is None:
        return {"plan_begin": None, "plan_end": None}
    trail.cite("coverage.plan_begin", render_dtp(plan))
    if _open(plan.end) is not None:
        trail.cite("coverage.plan_end", render_dtp(plan))
    return {"plan_begin": plan.start, "plan_end": _open(plan.end)}


def _open(value: dt.date | None) -> dt.date | None:
    """9999-12-31 is how payers write 'no end date'."""
    if value is None or value.year == OPEN_ENDED_YEAR:
        return None
    return value

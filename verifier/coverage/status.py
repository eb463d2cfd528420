"""Coverage status, plan name, group number and plan dates.

Status: EB01 1-5 (active) or 6-8 (inactive) on 30, on an EB with no service type (4010
plan-level rows such as Medicare ``EB*1*IND**MA``) or on one of the program's codes. An
inactive EB that carries its own eligibility period which ended before the date of service is
history, not today's status. Active and inactive together is a contradiction: unknown, noted.
No benefits at all (an AAA answer) is unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from verifier.coverage.ladders import Ladder
from verifier.coverage.model import Coverage, CoverageStatus
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


def read_coverage(result: EligibilityResult, ladder: Ladder, trail: Trail) -> Coverage:
    patient = result.patient
    if patient is None:
        return Coverage()
    members = _members(result, patient)
    status_rows = [b for b in patient.benefits if _status_row(b, ladder)]
    status = _status(status_rows, _service_date(members), trail)
    return Coverage(
        status=status,
        plan_name=_plan_name(status_rows, trail),
        group_number=_group_number(members, status_rows, trail),
        **_plan_dates(members, status_rows, trail),
    )


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


def _service_date(members: list[MemberResult]) -> dt.date | None:
    for qualifier in SERVICE_DATE_QUALIFIERS:
        for member in members:
            for d in member.dates:
                if d.qualifier == qualifier and d.start is not None and d.end is None:
                    return d.start
    return None


def _historical(b: Benefit, service_date: dt.date | None) -> bool:
    if service_date is None:
        return False
    for d in b.dates:
        last = d.end if d.end is not None else d.start
        if d.qualifier in {"307", "357", "292", "291"} and last is not None and last < service_date:
            return True
    return False


def _status(rows: list[Benefit], service_date: dt.date | None, trail: Trail) -> CoverageStatus:
    active = [b for b in rows if b.info in ACTIVE]
    inactive = []
    for b in rows:
        if b.info not in INACTIVE:
            continue
        if _historical(b, service_date):
            trail.note(
                f"{render_eb(b)} reports an inactive period that ended before the date of "
                "service; it is not today's status."
            )
            continue
        inactive.append(b)
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

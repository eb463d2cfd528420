"""Authorizations per verification and level of care: units approved, used, left, and when.

The number, the UM contact and notes are sealed (they tie a patient to a payer's case);
units, dates and status are plain, so the queue can raise an alert in SQL when 80% of the
units are used or the authorization ends within 7 days. Routes audit every read and write.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update

from verifier.runtime import Runtime
from verifier.staff.accounts import Staff
from verifier.staff.errors import NotFoundError
from verifier.store.models import Authorization, Verification
from verifier.store.records import seal, unseal
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks import events as webhook_events

log = logging.getLogger(__name__)
PURPOSE = "authorization"
USED_ALERT = 0.8  # share of approved units used
EXPIRY_ALERT = dt.timedelta(days=7)
LIVE = ("requested", "approved")


def alerts(
    status: str, approved: int | None, used: int, end: dt.date | None, today: dt.date
) -> list[str]:
    """The words a coordinator must read about an authorization today (pure)."""
    said: list[str] = []
    if status != "approved":
        return said
    if approved:
        if used >= approved:
            said.append(f"all {approved} units used")
        elif used >= USED_ALERT * approved:
            said.append(f"{used} of {approved} units used ({used * 100 // approved}%)")
    if end is not None:
        if end < today:
            said.append(f"ended {end.isoformat()}")
        elif end - today <= EXPIRY_ALERT:
            days = (end - today).days
            said.append(f"ends in {days} day{'s' if days != 1 else ''} ({end.isoformat()})")
    return said


def alert_condition(today: dt.date) -> ColumnElement[bool]:
    """SQL for "has an alert": approved with 80% of units used, or ending within 7 days."""
    return and_(
        Authorization.status == "approved",
        or_(
            and_(
                Authorization.approved_units > 0,
                Authorization.used_units * 10 >= Authorization.approved_units * 8,
            ),
            Authorization.end_date <= today + EXPIRY_ALERT,
        ),
    )


def report_expiring(runtime: Runtime, today: dt.date | None = None) -> int:
    """Cron: an ``authorization.expiring`` webhook for each approved authorization that ends
    within the alert window, once per end date (an extension is reported again when its new
    end nears). Safe to run twice at once: the row is claimed by a conditional UPDATE in the
    event's transaction. Returns how many were reported."""
    today = today or utcnow().date()
    not_reported = or_(
        Authorization.expiry_reported_for.is_(None),
        Authorization.expiry_reported_for != Authorization.end_date,
    )
    hooked: list[str] = []
    reported = 0
    with runtime.db.session() as session:
        due = session.execute(
            select(
                Authorization.id,
                Authorization.verification_id,
                Authorization.level_of_care,
                Authorization.unit,
                Authorization.approved_units,
                Authorization.used_units,
                Authorization.end_date,
            ).where(
                Authorization.status == "approved",
                Authorization.end_date >= today,
                Authorization.end_date <= today + EXPIRY_ALERT,
                not_reported,
            )
        ).all()
        for row in due:
            written = session.execute(
                update(Authorization)
                .where(
                    Authorization.id == row.id,
                    Authorization.end_date == row.end_date,
                    not_reported,
                )
                .values(expiry_reported_for=row.end_date)
                .execution_options(synchronize_session=False)
            )
            reported += written.rowcount  # type: ignore[attr-defined]  # a CursorResult
            days_left = (row.end_date - today).days
            hooked += webhook_events.authorization_expiring(
                session, runtime, row, days_left, written
            )
    webhook_events.kick(runtime, sorted(set(hooked)))
    if reported:
        log.info(
            "authorizations: %d reported as ending within %d days", reported, EXPIRY_ALERT.days
        )
    return reported


def _sealed(data: Mapping[str, Any]) -> str:
    return json.dumps(
        {"number": data.get("number"), "contact": data.get("contact"), "notes": data.get("notes")},
        sort_keys=True,
    )


def add(runtime: Runtime, staff: Staff, verification_id: str, data: Mapping[str, Any]) -> int:
    now = utcnow()
    with runtime.db.session() as session:
        if session.get(Verification, verification_id) is None:
            raise NotFoundError(verification_id)
        row = Authorization(
            verification_id=verification_id,
            level_of_care=data["level_of_care"].value,
            status=data["status"],
            unit=data.get("unit") or "sessions",
            approved_units=data.get("approved_units"),
            used_units=data.get("used_units") or 0,
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            details_enc="pending",
            created_at=now,
            created_by=staff.email,
            updated_at=now,
            updated_by=staff.email,
        )
        session.add(row)
        session.flush()
        row.details_enc = seal(runtime.keyring, PURPOSE, str(row.id), _sealed(data))
        return row.id


def update_units(
    runtime: Runtime,
    staff: Staff,
    verification_id: str,
    authorization_id: int,
    change: Mapping[str, Any],
) -> dict[str, Any]:
    """Set or add units used, or change status, approved units or end date."""
    with runtime.db.session() as session:
        row = session.get(Authorization, authorization_id)
        if row is None or row.verification_id != verification_id:
            raise NotFoundError(str(authorization_id))
        if change.get("used_units") is not None:
            row.used_units = change["used_units"]
        if change.get("add_units") is not None:
            row.used_units += change["add_units"]
        for name in ("status", "approved_units", "end_date"):
            if change.get(name) is not None:
                setattr(row, name, change[name])
        row.updated_at = utcnow()
        row.updated_by = staff.email
        session.flush()
        return _view(runtime, row, row.updated_at.date())


def _view(runtime: Runtime, row: Authorization, today: dt.date) -> dict[str, Any]:
    try:
        details = json.loads(unseal(runtime.keyring, PURPOSE, str(row.id), row.details_enc))
    except (ValueError, KeyError, TypeError):  # DecryptionError: shown, not a dead page
        log.warning("authorization %s: details cannot be read", row.id)
        details = {"number": "(unreadable)", "contact": None, "notes": ""}
    remaining = (
        max(row.approved_units - row.used_units, 0) if row.approved_units is not None else None
    )
    return {
        "id": row.id,
        "verification_id": row.verification_id,
        "level_of_care": row.level_of_care,
        "number": details.get("number"),
        "contact": details.get("contact"),
        "notes": details.get("notes") or "",
        "status": row.status,
        "unit": row.unit,
        "approved_units": row.approved_units,
        "used_units": row.used_units,
        "remaining_units": remaining,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None,
        "alerts": alerts(row.status, row.approved_units, row.used_units, row.end_date, today),
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
        "updated_at": row.updated_at.isoformat(),
        "updated_by": row.updated_by,
    }


def for_verification(runtime: Runtime, verification_id: str) -> list[dict[str, Any]]:
    """The authorizations on file for one verification (PHI: audited reads), newest first."""
    today = utcnow().date()
    with runtime.db.session() as session:
        if session.get(Verification, verification_id) is None:
            raise NotFoundError(verification_id)
        rows = session.execute(
            select(Authorization)
            .where(Authorization.verification_id == verification_id)
            .order_by(Authorization.id.desc())
        ).scalars()
        return [_view(runtime, row, today) for row in rows]


def alerts_by_verification(runtime: Runtime, ids: list[str]) -> dict[str, list[str]]:
    """For a page of the queue: each verification's authorization alerts (no PHI)."""
    if not ids:
        return {}
    today = utcnow().date()
    found: dict[str, list[str]] = {}
    with runtime.db.session() as session:
        rows = session.execute(
            select(Authorization).where(
                Authorization.verification_id.in_(ids), alert_condition(today)
            )
        ).scalars()
        for row in rows:
            found.setdefault(row.verification_id, []).extend(
                f"{row.level_of_care}: {said}"
                for said in alerts(
                    row.status, row.approved_units, row.used_units, row.end_date, today
                )
            )
    return found


CSV_COLUMNS = (
    "authorization_number",
    "authorization_status",
    "authorization_level_of_care",
    "authorization_unit",
    "authorization_approved",
    "authorization_used",
    "authorization_remaining",
    "authorization_start",
    "authorization_end",
    "authorization_alerts",
)


def csv_cells(runtime: Runtime, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest live authorization of each verification, as export cells."""
    if not ids:
        return {}
    today = utcnow().date()
    cells: dict[str, dict[str, Any]] = {}
    with runtime.db.session() as session:
        rows = session.execute(
            select(Authorization)
            .where(Authorization.verification_id.in_(ids))
            .order_by(Authorization.id.desc())
        ).scalars()
        for row in rows:
            if row.verification_id in cells:
                continue
            view = _view(runtime, row, today)
            cells[row.verification_id] = {
                "authorization_number": view["number"],
                "authorization_status": view["status"],
                "authorization_level_of_care": view["level_of_care"],
                "authorization_unit": view["unit"],
                "authorization_approved": view["approved_units"],
                "authorization_used": view["used_units"],
                "authorization_remaining": view["remaining_units"],
                "authorization_start": view["start_date"],
                "authorization_end": view["end_date"],
                "authorization_alerts": "; ".join(view["alerts"]),
            }
    return cells

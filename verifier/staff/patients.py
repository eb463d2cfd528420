"""Became a patient: staff mark a verification's member as admitted, or undo a mistake.

A marked visitor verification is an admission's record, so the visitors' retention purge
leaves it alone (``maintenance.purge_expired``: it follows VERIFIER_PATIENT_RETENTION_DAYS
instead). The row keeps who marked it and when; the routes audit every mark and undo.
Both are idempotent: marking twice keeps the first mark.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from verifier.runtime import Runtime
from verifier.staff.accounts import Staff
from verifier.staff.work import Marker, NotFoundError
from verifier.store.models import Verification


class Erased(ValueError):
    """The verification's personal details were already purged: there is nothing to keep."""


class _MarkerRow(NamedTuple):
    purged_at: dt.datetime | None
    became_patient_at: dt.datetime | None
    became_patient_by: str | None


def mark(runtime: Runtime, staff: Staff, verification_id: str) -> tuple[Marker, bool]:
    """Mark the member as admitted by ``staff`` now; the marker, and whether it changed."""
    now = dt.datetime.now(dt.UTC)
    with runtime.db.session() as session:
        changed = session.execute(
            update(Verification)
            .where(
                Verification.id == verification_id,
                Verification.became_patient_at.is_(None),
                Verification.purged_at.is_(None),
            )
            .values(became_patient_at=now, became_patient_by=staff.email)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        found = _marker_row(session, verification_id)
    if not changed and found.purged_at is not None and found.became_patient_at is None:
        raise Erased(verification_id)
    return Marker(found.became_patient_at, found.became_patient_by), bool(changed)


def unmark(runtime: Runtime, verification_id: str) -> tuple[Marker, bool]:
    """Take the mark back (it was a mistake); the marker, and whether it changed."""
    with runtime.db.session() as session:
        changed = session.execute(
            update(Verification)
            .where(Verification.id == verification_id, Verification.became_patient_at.is_not(None))
            .values(became_patient_at=None, became_patient_by=None)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        found = _marker_row(session, verification_id)
    return Marker(found.became_patient_at, found.became_patient_by), bool(changed)


def _marker_row(session: Session, verification_id: str) -> _MarkerRow:
    """The row's marker and purge time, read in the session that just wrote them."""
    found = session.execute(
        select(
            Verification.purged_at, Verification.became_patient_at, Verification.became_patient_by
        ).where(Verification.id == verification_id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(verification_id)
    return _MarkerRow(*found)

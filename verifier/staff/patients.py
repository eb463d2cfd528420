"""Became a patient: staff mark a verification's member as admitted, or undo a mistake.

A marked visitor verification is an admission's record, so the visitors' retention purge
leaves it alone (``maintenance.purge_expired``: it follows VERIFIER_PATIENT_RETENTION_DAYS
instead). The row keeps who marked it and when; the routes audit every mark and undo.
Both are idempotent: marking twice keeps the first mark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from verifier.runtime import Runtime
from verifier.staff.accounts import Staff
from verifier.staff.work import NotFoundError
from verifier.store.models import Verification


class Erased(ValueError):
    """The verification's personal details were already purged: there is nothing to keep."""


@dataclass(frozen=True)
class Marker:
    at: dt.datetime | None
    by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "became_patient": self.at is not None,
            "became_patient_at": self.at.isoformat() if self.at else None,
            "became_patient_by": self.by,
        }


def marker(runtime: Runtime, verification_id: str) -> Marker:
    with runtime.db.session() as session:
        found = session.execute(
            select(Verification.became_patient_at, Verification.became_patient_by).where(
                Verification.id == verification_id
            )
        ).one_or_none()
    if found is None:
        raise NotFoundError(verification_id)
    return Marker(*found)


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
        if not changed:
            purged = session.execute(
                select(Verification.purged_at, Verification.became_patient_at).where(
                    Verification.id == verification_id
                )
            ).one_or_none()
            if purged is None:
                raise NotFoundError(verification_id)
            if purged.purged_at is not None and purged.became_patient_at is None:
                raise Erased(verification_id)
    return marker(runtime, verification_id), bool(changed)


def unmark(runtime: Runtime, verification_id: str) -> tuple[Marker, bool]:
    """Take the mark back (it was a mistake); the marker, and whether it changed."""
    with runtime.db.session() as session:
        changed = session.execute(
            update(Verification)
            .where(Verification.id == verification_id, Verification.became_patient_at.is_not(None))
            .values(became_patient_at=None, became_patient_by=None)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    return marker(runtime, verification_id), bool(changed)

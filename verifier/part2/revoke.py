"""Revoking a Part 2 consent, as staff record it on the person's (written) request.

Revocation covers the person, not one row: every Part 2 verification with the same
member id and date of birth. Rows waiting for a retry or still queued end as failed
(``consent_revoked``) so no scheduler picks them up; completed rows are kept out of
re-checks by ``schedule.may_recheck``; a check already running is stopped by the gate
before its next 270 (a carve-out re-query included).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select, update

from verifier.store.models import Verification
from verifier.verifications import lifecycle

if TYPE_CHECKING:
    from verifier.runtime import Runtime

REASON = "consent_revoked"


@dataclass(frozen=True)
class Revoked:
    verifications: int  # consents revoked now
    stopped: int  # queued or retrying checks ended


def revoke(runtime: Runtime, verification_id: str, staff_email: str, now: dt.datetime) -> Revoked:
    """Raises LookupError for an unknown id, ValueError when it is not a Part 2 row."""
    with runtime.db.session() as session:
        row = session.execute(
            select(Verification.part2, Verification.index_member_id, Verification.index_birth_date)
            .where(Verification.id == verification_id)
        ).one_or_none()
        if row is None:
            raise LookupError(verification_id)
        if not row.part2:
            raise ValueError("not a 42 CFR Part 2 verification")
        person = Verification.id == verification_id
        if row.index_member_id is not None:
            person = or_(
                person,
                and_(
                    Verification.index_member_id == row.index_member_id,
                    Verification.index_birth_date == row.index_birth_date,
                ),
            )
        revoked = session.execute(
            update(Verification)
            .where(person, Verification.part2.is_(True), Verification.part2_revoked_at.is_(None))
            .values(part2_revoked_at=now, part2_revoked_by=staff_email[:254])
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        stopped = session.execute(
            update(Verification)
            .where(
                person,
                Verification.part2.is_(True),
                Verification.status.in_((lifecycle.QUEUED, lifecycle.RETRY_WAIT)),
            )
            .values(
                status=lifecycle.FAILED,
                reason=REASON,
                reason_detail="42 CFR Part 2 consent revoked at the person's request",
                next_attempt_at=None,
                updated_at=now,
                completed_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    return Revoked(int(revoked or 0), int(stopped or 0))

"""Which verifications scheduled work may check again: not a revoked or expired consent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_

from verifier.store.models import Verification


def may_recheck(now: dt.datetime) -> ColumnElement[bool]:
    """A WHERE clause: any non-Part 2 row, or a Part 2 row whose consent still holds."""
    return or_(
        Verification.part2.is_(False),
        and_(
            Verification.part2_consent_version.is_not(None),
            Verification.part2_revoked_at.is_(None),
            Verification.part2_expires_at > now,
        ),
    )

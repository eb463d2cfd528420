"""Server-side console sessions: logout really ends them, and they expire.

The cookie holds a random id; the database holds its hash, the user, the times and the
session's CSRF token. Idle 30 minutes or 12 hours after login, whichever comes first.
A login always makes a new id (no fixation); disabling a user deletes their sessions.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from verifier.runtime import Runtime
from verifier.staff.accounts import Staff, hash_secret, utcnow
from verifier.store.models import StaffSession, StaffUser

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
COOKIE = "verifier_staff"


@dataclass(frozen=True)
class ConsoleSession:
    staff: Staff
    csrf_token: str


def start(runtime: Runtime, staff: Staff, *, now: dt.datetime | None = None) -> str:
    """A new session id for the cookie (the caller drops any old one)."""
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)
    with runtime.db.session() as session:
        session.add(
            StaffSession(
                id_hash=hash_secret(session_id),
                user_id=staff.id,
                created_at=now,
                last_seen_at=now,
                csrf_token=secrets.token_urlsafe(32),
            )
        )
    return session_id


def load(
    runtime: Runtime, session_id: str | None, *, now: dt.datetime | None = None
) -> ConsoleSession | None:
    """The live session for this id, touched; None (and deleted) when expired."""
    if not session_id or len(session_id) > 100:
        return None
    now = now or utcnow()
    with runtime.db.session() as session:
        row = session.execute(
            select(StaffSession, StaffUser)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(StaffSession.id_hash == hash_secret(session_id))
        ).first()
        if row is None:
            return None
        live, user = row
        expired = now - live.last_seen_at > IDLE or now - live.created_at > ABSOLUTE
        if expired or user.disabled:
            session.delete(live)
            return None
        live.last_seen_at = now
        staff = Staff(user.id, user.email, user.role, user.password_change_required)
        return ConsoleSession(staff, live.csrf_token)


def end(runtime: Runtime, session_id: str | None) -> None:
    if not session_id:
        return
    with runtime.db.session() as session:
        session.execute(delete(StaffSession).where(StaffSession.id_hash == hash_secret(session_id)))

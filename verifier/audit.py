"""The audit trail: one row per staff action, hash-chained, append-only.

Rows name the actor, the action, the object id, the outcome, the time (UTC), the source
address and the request id, never PHI values. Each row's hash covers its fields and the
previous row's hash, so editing or deleting a row breaks the chain (`flask audit
verify`); the database refuses UPDATE and DELETE on the table (migration 0001), and a
unique prev_hash keeps concurrent appends from forking the chain (the loser retries).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from verifier.store.db import Database
from verifier.store.models import AuditEvent

GENESIS = "0" * 64
ACTIONS = (
    "login",
    "logout",
    "login_failed",
    "authorization_failed",
    "view",
    "search",
    "export",
    "rerun",
    "note",
    "manual_entry",
    "review",
    "purge",
    "rekey",
    "batch",
    "patient_marked",
    "patient_unmarked",
    "user_created",
    "user_disabled",
    "token_issued",
    # issue 16: authorizations and call-back states
    "authorization_add",
    "authorization_update",
    "callback_status",
)


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    outcome: str = "ok"
    object_type: str | None = None
    object_id: str | None = None
    source_addr: str | None = None
    request_id: str | None = None


ENTRY_FIELDS = tuple(field.name for field in dataclasses.fields(Entry))


def _digest(prev_hash: str, at: dt.datetime, entry: Entry) -> str:
    body = json.dumps(
        [
            prev_hash,
            at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.outcome,
            entry.source_addr,
            entry.request_id,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(db: Database, entry: Entry, *, attempts: int = 20) -> None:
    """Append one row to the chain (retrying when another writer appended first)."""
    if entry.action not in ACTIONS:
        raise ValueError(f"unknown audit action {entry.action!r}")
    for _ in range(attempts):
        at = dt.datetime.now(dt.UTC)
        try:
            with db.session() as session:
                last = session.execute(
                    select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
                ).scalar_one_or_none()
                prev_hash = last or GENESIS
                session.add(
                    AuditEvent(
                        at=at,
                        **dataclasses.asdict(entry),
                        prev_hash=prev_hash,
                        hash=_digest(prev_hash, at, entry),
                    )
                )
            return
        except IntegrityError:
            continue  # someone appended after our read: read the new tail and retry
    raise RuntimeError("could not append to the audit trail")


@dataclass(frozen=True)
class ChainReport:
    rows: int
    broken_at: int | None  # id of the first row whose hash or link does not hold


def verify(db: Database) -> ChainReport:
    """Walk the chain from the start; report the first row that does not hold."""
    prev = GENESIS
    count = 0
    with db.session() as session:
        for event in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
            count += 1
            entry = Entry(**{name: getattr(event, name) for name in ENTRY_FIELDS})
            if event.prev_hash != prev or event.hash != _digest(prev, event.at, entry):
                return ChainReport(rows=count, broken_at=event.id)
            prev = event.hash
    return ChainReport(rows=count, broken_at=None)

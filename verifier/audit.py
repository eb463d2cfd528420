"""The audit trail: one row per staff action, HMAC-chained, append-only, checkpointed.

Rows name the actor, the action, the object id, the outcome, the time (UTC), the source
address and the request id, never PHI values; a row for a list (a search, an export,
the work queue, the call-backs) also lists the verification ids it showed
(``audit_records``), for HIPAA access review.

Each row's hash is an HMAC, under a key kept outside the database (VERIFIER_AUDIT_KEY,
or var/audit.key in development), of its fields, its records and the previous row's
hash: someone who can write to the database can drop the append-only triggers, but
cannot recompute the chain after editing a row. Deleting the newest rows leaves a
valid shorter chain, so operators export signed checkpoints (``flask audit
checkpoint``: head id, head hash, row count, time) and keep them elsewhere; ``flask
audit verify --checkpoint FILE`` then reports rows removed since. A unique prev_hash
keeps concurrent appends from forking the chain (the loser retries).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from verifier.store.db import Database
from verifier.store.models import AuditEvent, AuditRecord

GENESIS = "0" * 64
ACTIONS = (
    "login",
    "logout",
    "login_failed",
    "login_locked",
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
    "part2_revoke",  # a 42 CFR Part 2 consent revoked on the person's request
    "part2_consent",  # a Part 2 consent the patient signed on paper, recorded by staff
    "user_created",
    "user_disabled",
    "token_issued",
    "tokens_revoked",
    "password_changed",
    "audit_viewed",
    "webhook_added",  # issue 20: admins' webhook endpoints
    "webhook_disabled",
    "webhook_enabled",
    "webhook_rotated",
    "webhook_replayed",
    # issue 16: authorizations and call-back states
    "authorization_add",
    "authorization_update",
    "callback_status",
)


class AuditKeyError(ValueError):
    """VERIFIER_AUDIT_KEY is malformed (the message names the entry, never the key)."""


@dataclass(frozen=True, repr=False)
class AuditKeys:
    """HMAC keys by id; the first seals new rows, all verify (a key can be rotated)."""

    primary: str
    keys: dict[str, bytes]

    def __repr__(self) -> str:
        return f"AuditKeys(primary={self.primary!r}, ids={sorted(self.keys)!r})"

    @classmethod
    def parse(cls, spec: str) -> AuditKeys:
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for index, part in enumerate(p.strip() for p in spec.split(",") if p.strip()):
            kid, sep, encoded = part.partition(":")
            if not sep or not kid.isalnum() or len(kid) > 16:
                raise AuditKeyError(f"VERIFIER_AUDIT_KEY entry {index + 1} must be 'kid:base64key'")
            try:
                key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except (binascii.Error, ValueError):
                raise AuditKeyError(f"VERIFIER_AUDIT_KEY entry {index + 1} is not base64") from None
            if len(key) < 32:
                raise AuditKeyError(f"VERIFIER_AUDIT_KEY entry {index + 1} needs 256 bits or more")
            keys[kid] = key
            order.append(kid)
        if not order:
            raise AuditKeyError("VERIFIER_AUDIT_KEY is empty")
        return cls(primary=order[0], keys=keys)

    @classmethod
    def local(cls, path: Path) -> AuditKeys:
        """The development default: a key file under var/, made on first use (0600)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(generate_audit_key("local") + "\n")
        return cls.parse(path.read_text().strip())

    def sign(self, kid: str, message: bytes) -> str:
        return hmac.new(self.keys[kid], message, hashlib.sha256).hexdigest()


def generate_audit_key(kid: str) -> str:
    return f"{kid}:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


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


def _body(prev_hash: str, at: dt.datetime, entry: Entry, extra: Sequence[Any] = ()) -> bytes:
    return json.dumps(
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
            *extra,
        ],
        separators=(",", ":"),
    ).encode()


def _legacy_digest(prev_hash: str, at: dt.datetime, entry: Entry) -> str:
    """Rows written before the chain was keyed (key_id NULL): plain SHA-256."""
    return hashlib.sha256(_body(prev_hash, at, entry)).hexdigest()


def _digest(
    keys: AuditKeys, kid: str, prev_hash: str, at: dt.datetime, entry: Entry, records: Sequence[str]
) -> str:
    return keys.sign(kid, _body(prev_hash, at, entry, [kid, list(records)]))


def record(
    db: Database,
    keys: AuditKeys,
    entry: Entry,
    *,
    records: Iterable[str] = (),
    attempts: int = 20,
) -> None:
    """Append one row to the chain (retrying when another writer appended first).

    ``records``: the ids of the records this action showed, kept in their order.
    """
    if entry.action not in ACTIONS:
        raise ValueError(f"unknown audit action {entry.action!r}")
    shown = [str(v) for v in records]
    kid = keys.primary
    for _ in range(attempts):
        at = dt.datetime.now(dt.UTC)
        try:
            with db.session() as session:
                last = session.execute(
                    select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
                ).scalar_one_or_none()
                prev_hash = last or GENESIS
                event = AuditEvent(
                    at=at,
                    **dataclasses.asdict(entry),
                    prev_hash=prev_hash,
                    key_id=kid,
                    hash=_digest(keys, kid, prev_hash, at, entry, shown),
                )
                session.add(event)
                if shown:
                    session.flush()
                    session.execute(
                        insert(AuditRecord),
                        [
                            {"event_id": event.id, "position": i, "record_id": v}
                            for i, v in enumerate(shown)
                        ],
                    )
            return
        except IntegrityError:
            continue  # someone appended after our read: read the new tail and retry
    raise RuntimeError("could not append to the audit trail")


@dataclass(frozen=True)
class ChainReport:
    rows: int
    broken_at: int | None  # id of the first row whose hash or link does not hold
    head_id: int | None = None
    head_hash: str | None = None
    unkeyed: int = 0  # rows from before the chain was keyed (SHA-256 only)
    problem: str | None = None  # why broken_at broke, for the operator


PAGE = 1000


def _records_by_event(session: Any, first: int, last: int) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(AuditRecord.event_id, AuditRecord.record_id)
        .where(AuditRecord.event_id >= first, AuditRecord.event_id <= last)
        .order_by(AuditRecord.event_id, AuditRecord.position)
    )
    for event_id, record_id in rows:
        found.setdefault(event_id, []).append(record_id)
    return found


def verify(db: Database, keys: AuditKeys) -> ChainReport:
    """Walk the chain from the start; report the first row that does not hold."""
    prev = GENESIS
    count = unkeyed = 0
    head_id: int | None = None
    after = 0
    with db.session() as session:
        while True:
            events = list(
                session.execute(
                    select(AuditEvent)
                    .where(AuditEvent.id > after)
                    .order_by(AuditEvent.id)
                    .limit(PAGE)
                ).scalars()
            )
            if not events:
                break
            shown = _records_by_event(session, events[0].id, events[-1].id)
            for event in events:
                count += 1
                problem = _problem(
                    keys, event, prev, shown.get(event.id, []), after_keyed=count - 1 > unkeyed
                )
                if problem:
                    return ChainReport(count, event.id, head_id, prev, unkeyed, problem)
                if event.key_id is None:
                    unkeyed += 1
                prev, head_id = event.hash, event.id
            after = events[-1].id
    return ChainReport(count, None, head_id, prev, unkeyed)


def _problem(
    keys: AuditKeys, event: AuditEvent, prev: str, shown: list[str], *, after_keyed: bool
) -> str | None:
    entry = Entry(**{name: getattr(event, name) for name in ENTRY_FIELDS})
    if event.prev_hash != prev:
        return "its link to the row before does not match (a row was removed or inserted)"
    if event.key_id is None:
        if after_keyed:
            return "an unkeyed row after keyed ones (rewritten without the key)"
        if shown or event.hash != _legacy_digest(prev, event.at, entry):
            return "its hash does not match its fields"
        return None
    if event.key_id not in keys.keys:
        return f"sealed with audit key {event.key_id!r}, which is not configured"
    expected = _digest(keys, event.key_id, prev, event.at, entry, shown)
    if not hmac.compare_digest(event.hash, expected):
        return (
            "its HMAC does not match its fields and records (edited, or rehashed without the key)"
        )
    return None


# --- checkpoints -------------------------------------------------------------------------


class CheckpointError(ValueError):
    """A checkpoint file is unreadable, unsigned, or signed with another key."""


CHECKPOINT_FIELDS = ("version", "rows", "head_id", "head_hash", "at", "key_id")


def _checkpoint_message(body: dict[str, Any]) -> bytes:
    return json.dumps([body[name] for name in CHECKPOINT_FIELDS], separators=(",", ":")).encode()


def checkpoint(db: Database, keys: AuditKeys) -> dict[str, Any]:
    """The chain's head now, signed: keep it somewhere the database's users cannot write."""
    report = verify(db, keys)
    if report.broken_at is not None:
        raise CheckpointError(f"the chain is broken at row {report.broken_at}: no checkpoint")
    body: dict[str, Any] = {
        "version": 1,
        "rows": report.rows,
        "head_id": report.head_id,
        "head_hash": report.head_hash,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "key_id": keys.primary,
    }
    body["signature"] = keys.sign(keys.primary, _checkpoint_message(body))
    return body


def read_checkpoint(text: str, keys: AuditKeys) -> dict[str, Any]:
    try:
        body = json.loads(text)
        message = _checkpoint_message(body)
        kid, signature = body["key_id"], body["signature"]
    except (ValueError, KeyError, TypeError):
        raise CheckpointError("not a verifier audit checkpoint") from None
    if kid not in keys.keys:
        raise CheckpointError(f"signed with audit key {kid!r}, which is not configured")
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature, keys.sign(kid, message)
    ):
        raise CheckpointError("the checkpoint's signature does not match (edited or forged)")
    return dict(body)


def against_checkpoint(db: Database, report: ChainReport, point: dict[str, Any]) -> str | None:
    """Why the (intact) chain no longer holds what the checkpoint saw, or None."""
    head_id, head_hash, rows = point["head_id"], point["head_hash"], point["rows"]
    if head_id is None:
        return None
    with db.session() as session:
        row_hash = session.execute(
            select(AuditEvent.hash).where(AuditEvent.id == head_id)
        ).scalar_one_or_none()
        upto = session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= head_id)
        ).scalar_one()
    if row_hash is None:
        return (
            f"row {head_id}, the head at the checkpoint ({point['at']}), is gone: "
            f"the newest rows were removed ({report.rows} rows now, {rows} then)"
        )
    if row_hash != head_hash or upto != rows:
        return f"the chain up to row {head_id} differs from the checkpoint ({point['at']})"
    return None

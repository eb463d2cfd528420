"""Submit: store a verification and queue its check, answering at once (never waits on a payer).

The database row is the source of truth (docs/design.md §2); the queue only carries its
id. A visitor's submit stores one row per transaction and enqueues it; a batch stores the
same rows (``verification_values``) in chunks of ``CHUNK``, one transaction each, so
SQLite's single writer is released between chunks and visitors' submits are not held up
behind a 10,000-member batch. A batch enqueues its ids itself (batch jobs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete

from verifier.domain import Condition, LevelOfCare
from verifier.part2.consent import Part2Consent
from verifier.part2.intake import consent_columns as part2_columns
from verifier.payers.directory import UnknownPayer
from verifier.runtime import Runtime
from verifier.store.models import Verification
from verifier.store.records import ContactRecord, MemberRecord, blind_indexes, seal
from verifier.verifications import lifecycle
from verifier.verifications.queue import enqueue_verification
from verifier.webhooks import events as webhook_events

log = logging.getLogger(__name__)

CHUNK = 1000  # batch rows per transaction

__all__ = [
    "CHUNK",
    "Submission",
    "Submitted",
    "UnknownPayer",
    "discard",
    "hash_token",
    "submit",
    "verification_values",
]


@dataclass(frozen=True)
class Submission:
    member: MemberRecord
    payer_id: str
    level_of_care: LevelOfCare
    condition: Condition
    service_date: dt.date
    contact: ContactRecord | None = None
    part2_consent: Part2Consent | None = None  # 42 CFR Part 2 programs only
    language: str | None = None  # the visitor's ("en", "es"); None: not said (API, batch)


@dataclass(frozen=True)
class Submitted:
    id: str
    status: str
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def verification_values(
    runtime: Runtime, submission: Submission, *, source: str, now: dt.datetime
) -> tuple[dict[str, Any], str]:
    """A new verification's columns, queued at run 1, and its status token.

    Only the token's hash is stored; ``submit`` hands the token to the visitor, a batch
    builds thousands of rows this way and hands it to nobody (staff read batch rows with
    their own credentials).
    """
    if runtime.directory.get(submission.payer_id) is None:
        raise UnknownPayer(submission.payer_id)
    verification_id = uuid.uuid4().hex
    token = secrets.token_urlsafe(32)  # 256 bits; only its hash is stored
    keyring = runtime.keyring
    contact = submission.contact
    values = {
        "id": verification_id,
        "status": lifecycle.QUEUED,
        "created_at": now,
        "updated_at": now,
        "level_of_care": submission.level_of_care.value,
        "condition": submission.condition.value,
        "payer_id": submission.payer_id,
        "service_date": submission.service_date,
        "source": source,
        "token_hash": hash_token(token),
        "token_expires_at": now + dt.timedelta(seconds=runtime.settings.status_token_ttl),
        "member_enc": seal(keyring, "member", verification_id, submission.member.to_json()),
        "contact_enc": (
            seal(keyring, "contact", verification_id, contact.to_json()) if contact else None
        ),
        "callback_requested": bool(contact and contact.callback_requested),
        "language": submission.language,
        **blind_indexes(keyring, submission.member),
        "attempt_count": 0,
        "run_attempts": 0,
        "run_seq": 1,
    }
    # 42 CFR Part 2: the consent sealed with the row (ConsentRequired without one).
    values |= part2_columns(runtime, submission, verification_id, source=source, now=now)
    return values, token


def submit(
    runtime: Runtime, submission: Submission, *, source: str = "visitor", enqueue: bool = True
) -> Submitted:
    """Store the verification, queue its check, and return at once.

    ``enqueue=False``: the caller queues it (a batch puts many checks in one batch job).
    """
    values, token = verification_values(runtime, submission, source=source, now=lifecycle.utcnow())
    verification_id = values["id"]
    row = Verification(**values)
    hooked: list[str] = []
    with runtime.db.session() as session:
        session.add(row)
        if row.callback_requested:  # webhooks (issue 20): callback.requested, same transaction
            hooked = webhook_events.callback_requested(
                session, runtime, verification_id, "verification"
            )
    webhook_events.kick(runtime, hooked)
    if not enqueue:
        return Submitted(id=verification_id, status=lifecycle.QUEUED, token=token)
    try:
        enqueue_verification(runtime, verification_id, row.run_seq)
    except Exception:
        # The row is safe as queued; the reconciler enqueues it once Redis is back.
        log.warning("enqueue failed for verification %s; left for reconcile", verification_id)
    log.info("verification %s submitted (%s)", verification_id, source)
    return Submitted(id=verification_id, status=lifecycle.QUEUED, token=token)


def discard(runtime: Runtime, verification_ids: Iterable[str], *, chunk: int = CHUNK) -> None:
    """Remove verifications a failed batch had stored (nothing has run on them yet)."""
    ids = list(verification_ids)
    for start in range(0, len(ids), chunk):
        with runtime.db.session() as session:
            session.execute(
                delete(Verification)
                .where(Verification.id.in_(ids[start : start + chunk]))
                .execution_options(synchronize_session=False)
            )

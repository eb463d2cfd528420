"""Many verifications stored at once (batches): the rows ``service.submit`` would write.

``service.submit`` stores one verification per transaction; a 10,000-member batch done
that way spends ~25 s inside one request. Here the same rows (sealed member, blind
indexes, a status token's hash and expiry, queued at run 1) are built from service's own
pieces and inserted in chunks, one transaction each, so SQLite's single writer is
released between chunks and visitors' submits are not held up behind a batch. Nothing
is enqueued here: the caller queues the ids (batch jobs).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete

from verifier import lifecycle
from verifier.runtime import Runtime
from verifier.service import Submission, UnknownPayer, blind_indexes, hash_token
from verifier.store.models import Verification
from verifier.store.records import seal

CHUNK = 1000  # rows per transaction


def verification_values(
    runtime: Runtime, submission: Submission, *, source: str, now: dt.datetime
) -> dict[str, Any]:
    """The columns of a new verification, as ``service.submit`` fills them.

    A status token is made and only its hash kept, like every submit (nobody is given
    the token: staff read batch rows with their own credentials).
    """
    if runtime.directory.get(submission.payer_id) is None:
        raise UnknownPayer(submission.payer_id)
    verification_id = uuid.uuid4().hex
    keyring = runtime.keyring
    contact = submission.contact
    return {
        "id": verification_id,
        "status": lifecycle.QUEUED,
        "created_at": now,
        "updated_at": now,
        "level_of_care": submission.level_of_care.value,
        "condition": submission.condition.value,
        "payer_id": submission.payer_id,
        "service_date": submission.service_date,
        "source": source,
        "token_hash": hash_token(secrets.token_urlsafe(32)),
        "token_expires_at": now + dt.timedelta(seconds=runtime.settings.status_token_ttl),
        "member_enc": seal(keyring, "member", verification_id, submission.member.to_json()),
        "contact_enc": (
            seal(keyring, "contact", verification_id, contact.to_json()) if contact else None
        ),
        "callback_requested": bool(contact and contact.callback_requested),
        **blind_indexes(keyring, submission.member),
        "attempt_count": 0,
        "run_attempts": 0,
        "run_seq": 1,
    }


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

"""Many verifications stored at once (batches): the rows ``service.submit`` would write.

``service.submit`` stores one verification per transaction; a 10,000-member batch done
that way spends ~25 s inside one request. Here the same rows (``service.verification_values``)
are inserted in chunks, one transaction each, so SQLite's single writer is
released between chunks and visitors' submits are not held up behind a batch. Nothing
is enqueued here: the caller queues the ids (batch jobs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete

from verifier import service
from verifier.runtime import Runtime
from verifier.service import Submission
from verifier.store.models import Verification

CHUNK = 1000  # rows per transaction


def verification_values(
    runtime: Runtime, submission: Submission, *, source: str, now: dt.datetime
) -> dict[str, Any]:
    """The columns of a new verification, as ``service.submit`` fills them (its status
    token is given to nobody: staff read batch rows with their own credentials)."""
    values, _token = service.verification_values(runtime, submission, source=source, now=now)
    return values


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

"""Use cases the scheduler runs: nothing stays queued, running or waiting forever.

Both are idempotent: the row decides, and a re-enqueue of a run already in Redis is
refused by its deterministic job id.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, or_, select, update

from verifier import lifecycle
from verifier.queue import enqueue_verification
from verifier.runtime import Runtime
from verifier.store.models import Verification

log = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def reconcile(runtime: Runtime, *, now: dt.datetime | None = None) -> int:
    """Rows running past their lease, or queued longer than a lease, get a fresh run.

    A new run number gives a new job id, so a job lost with a flushed Redis or a killed
    worker is replaced; if the old job does turn up, the claim refuses it.
    """
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=runtime.settings.lease_seconds)
    with runtime.db.session() as session:
        rows = session.execute(
            select(Verification.id, Verification.run_seq).where(
                or_(
                    and_(
                        Verification.status == lifecycle.RUNNING,
                        Verification.lease_expires_at < now,
                    ),
                    and_(Verification.status == lifecycle.QUEUED, Verification.updated_at < stale),
                )
            )
        ).all()
        for row_id, run_seq in rows:
            session.execute(
                update(Verification)
                .where(Verification.id == row_id, Verification.run_seq == run_seq)
                .values(
                    status=lifecycle.QUEUED,
                    run_seq=run_seq + 1,
                    lease_expires_at=None,
                    updated_at=now,
                )
            )
    for row_id, run_seq in rows:
        enqueue_verification(runtime, row_id, run_seq + 1)
    if rows:
        log.info("reconcile: re-enqueued %d verification(s)", len(rows))
    return len(rows)


def refresh_due(runtime: Runtime, *, now: dt.datetime | None = None) -> int:
    """retry_wait rows past next_attempt_at whose RQ retry was lost get a fresh run."""
    now = now or utcnow()
    grace = dt.timedelta(seconds=60)  # RQ's own scheduler normally gets there first
    with runtime.db.session() as session:
        rows = session.execute(
            select(Verification.id, Verification.run_seq).where(
                Verification.status == lifecycle.RETRY_WAIT,
                Verification.next_attempt_at < now - grace,
            )
        ).all()
        for row_id, run_seq in rows:
            session.execute(
                update(Verification)
                .where(Verification.id == row_id, Verification.run_seq == run_seq)
                .values(status=lifecycle.QUEUED, run_seq=run_seq + 1, updated_at=now)
            )
    for row_id, run_seq in rows:
        enqueue_verification(runtime, row_id, run_seq + 1)
    return len(rows)

"""Reading a test's own rows and clearing its own jobs (real SQL, real Redis; its prefix only).

Reproduces no published reference: it reads and clears our own tables and RQ registries.
"""

from __future__ import annotations

import datetime as dt

from rq.job import Job
from sqlalchemy import select

from verifier.runtime import Runtime
from verifier.store.models import Attempt, BatchRow, Verification
from verifier.verifications.queue import BATCH, VISITOR, get_queue


def row_of(runtime: Runtime, verification_id: str) -> Verification:
    with runtime.db.session() as session:
        row = session.get_one(Verification, verification_id)
        session.expunge(row)
        return row


def attempts_of(runtime: Runtime, verification_id: str) -> list[Attempt]:
    """The verification's attempts by number, detached from their session."""
    with runtime.db.session() as session:
        rows = (
            session.execute(
                select(Attempt)
                .where(Attempt.verification_id == verification_id)
                .order_by(Attempt.number)
            )
            .scalars()
            .all()
        )
        for row in rows:
            session.expunge(row)
        return list(rows)


def clear_queues(runtime: Runtime) -> None:
    """Drop this test's jobs from the shared Redis (its prefix only)."""
    for kind in (VISITOR, BATCH):
        queue = get_queue(runtime, kind)
        registries = (
            queue.scheduled_job_registry,
            queue.failed_job_registry,
            queue.finished_job_registry,
            queue.started_job_registry,
        )
        jobs = set(queue.get_job_ids())
        for registry in registries:
            jobs.update(registry.get_job_ids())
        queue.empty()
        runtime.redis.delete(*(r.key for r in registries), *(Job.key_for(j) for j in jobs))


def batch_ids(runtime: Runtime, batch_id: str) -> list[str]:
    """The verification ids of a batch's accepted rows, in line order."""
    with runtime.db.session() as session:
        return list(
            session.execute(
                select(BatchRow.verification_id)
                .where(BatchRow.batch_id == batch_id, BatchRow.verification_id.is_not(None))
                .order_by(BatchRow.line)
            ).scalars()
        )


def age_one_lease(runtime: Runtime, ids: list[str] | None = None) -> None:
    """Move every row's lease and last change one lease into the past, in the database.

    reconcile judges leases by the database's clock (a maintenance clock ahead of it
    changes nothing), so "one lease later" is the rows growing older, not ``now`` moving.
    """
    shift = dt.timedelta(seconds=runtime.settings.lease_seconds + 1)
    with runtime.db.session() as session:
        rows = select(Verification)
        if ids is not None:
            rows = rows.where(Verification.id.in_(ids))
        for row in session.scalars(rows):
            row.updated_at = row.updated_at - shift
            if row.lease_expires_at is not None:
                row.lease_expires_at = row.lease_expires_at - shift

"""Many checks side by side in one worker process: throughput to the payer's limit.

A payer call takes 1-20 s and is pure waiting, so a batch job runs ``check.run_check``
for its ids in a bounded thread pool (VERIFIER_WORKER_THREADS) instead of one process per
call. The payer's own limits still hold across every thread and every worker: the
resilience layer takes a Redis concurrency slot and a rate token around each call.
Threads share the process's engine (SQLite: WAL + busy_timeout, a connection per
session; PostgreSQL: the pool), and each check is one short transaction at a time.

While the job runs, its still-queued rows are touched every third of a lease, so the
reconciler can tell a live batch job from a dead one (see maintenance.reconcile).
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from sqlalchemy import update

from verifier.runtime import Runtime
from verifier.store.models import Verification
from verifier.verifications import lifecycle
from verifier.verifications.check import run_check
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.retry import RetryScheduled

log = logging.getLogger(__name__)


def check_one(runtime: Runtime, verification_id: str) -> str | None:
    """One attempt; a payer outage leaves the row to refresh_due (no RQ retry here)."""
    try:
        status = run_check(runtime, verification_id)
    except RetryScheduled:
        return lifecycle.RETRY_WAIT
    except Exception as exc:  # recorded on the row by run_check; never stop the others
        log.warning("verification %s: check crashed (%s)", verification_id, type(exc).__name__)
        return None
    return status  # a re-check's comparison is written with its outcome (check._finish)


def check_many(runtime: Runtime, verification_ids: list[str], job: str | None = None) -> int:
    """Run every id's attempt with at most ``worker_threads`` at once; the count run."""
    settings = runtime.settings
    beat = max(1.0, settings.lease_seconds / 3)
    done = 0
    threads = min(settings.worker_threads, max(1, len(verification_ids)))
    with ThreadPoolExecutor(threads, thread_name_prefix="check") as pool:
        pending: set[Future[str | None]] = {
            pool.submit(check_one, runtime, vid) for vid in verification_ids
        }
        while pending:
            finished, pending = wait(pending, timeout=beat, return_when=FIRST_COMPLETED)
            done += sum(1 for f in finished if f.result() is not None)
            if pending and job is not None:
                _heartbeat(runtime, verification_ids, job)
    return done


def _heartbeat(runtime: Runtime, verification_ids: list[str], job: str) -> None:
    """Keep this job's queued rows fresh: the reconciler re-enqueues only stale ones."""
    with runtime.db.session() as session:
        session.execute(
            update(Verification)
            .where(
                Verification.id.in_(verification_ids),
                Verification.status == lifecycle.QUEUED,
                Verification.job_id == job,
            )
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

"""RQ wiring: queue names, the JSON serializer, and enqueue helpers that take ids only.

Job arguments end up in Redis and in worker logs, so nothing but a verification id
ever goes in (docs/design.md §2). Job ids are deterministic, so a second enqueue of the same
run is refused by RQ instead of doubling the work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from verifier.runtime import Runtime

T = TypeVar("T")

VISITOR = "visitor"  # one job per visitor's or staff's check; RQ retries it
BATCH = "batch"  # batch jobs: many checks side by side in threads
CRON = "cron"  # the scheduled jobs (workers/cron.py), served by the maintenance worker
WEBHOOKS = "webhooks"  # signed webhooks out (verifier.webhooks.delivery), own worker
KINDS = (VISITOR, BATCH, CRON, WEBHOOKS)
JOB_FUNCTION = "workers.jobs.run_verification"


def queue_name(prefix: str, kind: str) -> str:
    """The one naming rule for RQ queues (VERIFIER_QUEUE_PREFIX, then the kind)."""
    return f"{prefix}-{kind}"


def get_queue(runtime: Runtime, kind: str = VISITOR) -> Queue:
    return Queue(
        queue_name(runtime.settings.queue_prefix, kind),
        connection=runtime.redis,
        serializer=JSONSerializer,
        default_timeout=runtime.settings.job_timeout,
    )


def job_id(verification_id: str, run_seq: int) -> str:
    return f"verify-{verification_id}-{run_seq}"


def enqueue_verification(
    runtime: Runtime, verification_id: str, run_seq: int, kind: str = VISITOR
) -> bool:
    """Enqueue one run of a verification; False when that run is already queued."""
    settings = runtime.settings
    try:
        get_queue(runtime, kind).enqueue(
            JOB_FUNCTION,
            verification_id,
            job_id=job_id(verification_id, run_seq),
            unique=True,
            retry=Retry(max=len(settings.retry_intervals), interval=list(settings.retry_intervals)),
            job_timeout=settings.job_timeout,
            result_ttl=settings.result_ttl,
            failure_ttl=settings.failure_ttl,
            description=f"verification {verification_id}",
        )
    except DuplicateJobError:
        return False
    return True


MANY_FUNCTION = "workers.jobs.run_verifications"


def chunk_job_id(pairs: list[tuple[str, int]]) -> str:
    """Deterministic id for a batch job: the same (id, run) set is never enqueued twice."""
    digest = hashlib.sha1(  # noqa: S324 - an id, not a secret
        ",".join(f"{vid}:{seq}" for vid, seq in sorted(pairs)).encode()
    ).hexdigest()
    return f"many-{digest[:32]}"


def chunk_jobs(
    items: Sequence[T], size: int, run: Callable[[T], tuple[str, int]]
) -> Iterator[tuple[str, Sequence[T]]]:
    """``items`` cut into batch jobs of ``size``, in order: each job's id and its part.

    ``run(item)`` is the (verification id, run_seq) the item will run as; the job id is
    ``chunk_job_id`` of its part's runs.
    """
    for start in range(0, len(items), size):
        part = items[start : start + size]
        yield chunk_job_id([run(item) for item in part]), part


def many_job_timeout(runtime: Runtime, count: int) -> int:
    """Each check is bounded by job_timeout; ``worker_threads`` run side by side."""
    settings = runtime.settings
    rounds = -(-count // settings.worker_threads)
    return settings.job_timeout * (rounds + 1)


def enqueue_many(
    runtime: Runtime, job: str, verification_ids: list[str], kind: str = BATCH
) -> bool:
    """Enqueue one batch job (ids only) that checks these verifications side by side.

    No RQ Retry: a row that must wait for the payer is rescheduled by the database and
    picked up by refresh_due (see verifier.verifications.retry).
    """
    settings = runtime.settings
    try:
        get_queue(runtime, kind).enqueue(
            MANY_FUNCTION,
            verification_ids,
            job_id=job,
            unique=True,
            job_timeout=many_job_timeout(runtime, len(verification_ids)),
            result_ttl=settings.result_ttl,
            failure_ttl=settings.failure_ttl,
            description=f"{len(verification_ids)} verifications",
        )
    except DuplicateJobError:
        return False
    return True


def job_states(runtime: Runtime, job_ids: list[str]) -> dict[str, str | None]:
    """RQ's status of each job, None when Redis no longer knows it (flushed, expired)."""
    with runtime.redis.pipeline(transaction=False) as pipe:
        for jid in job_ids:
            pipe.hget(Job.key_for(jid), "status")
        states = pipe.execute()
    return {jid: (s.decode() if s else None) for jid, s in zip(job_ids, states, strict=True)}

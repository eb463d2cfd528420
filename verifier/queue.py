"""RQ wiring: queue names, the JSON serializer, and enqueue helpers that take ids only.

Job arguments end up in Redis and in worker logs, so nothing but a verification id
ever goes in (DESIGN §2). Job ids are deterministic, so a second enqueue of the same
run is refused by RQ instead of doubling the work.
"""

from __future__ import annotations

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from verifier.runtime import Runtime

VISITOR = "visitor"
BATCH = "batch"
JOB_FUNCTION = "workers.jobs.run_verification"


def queue_name(runtime: Runtime, kind: str) -> str:
    return f"{runtime.settings.queue_prefix}-{kind}"


def get_queue(runtime: Runtime, kind: str = VISITOR) -> Queue:
    return Queue(
        queue_name(runtime, kind),
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

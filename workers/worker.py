"""The RQ worker classes verifier runs: an allow-list of jobs, the app built before forks.

Anyone who can write to Redis can enqueue a job naming any importable function
(``shutil.copyfile`` of the data key, say), and a stock RQ worker would run it. These
workers run only the job functions listed here; any other job is failed without being
imported or run, and logged (its id and function name: job arguments are never logged).

RQ forks a work-horse per job; without the warm-up below, every horse imports verifier
and builds the app again (about a second of CPU per job, and idle payer capacity during
it). Built in the parent, the horse inherits it: no connection is opened here (the
engine's pool is disposed after a fork, and Redis and the adapters are created on first
use).

    rq worker --worker-class workers.worker.VerifierWorker ...
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from rq import Queue, Worker
from rq.exceptions import DeserializationError
from rq.job import Job

log = logging.getLogger(__name__)

# The dotted paths verifier.verifications.queue and workers/cron.py enqueue (RQ stores these names).
VERIFICATION_JOBS = frozenset({"workers.jobs.run_verification", "workers.jobs.run_verifications"})
MAINTENANCE_JOBS = frozenset(
    {
        "workers.maintenance.reconcile",
        "workers.maintenance.refresh_due",
        "workers.maintenance.reverify_upcoming",
        "workers.maintenance.purge_expired",
    }
)


class RefusedJob(Exception):
    """A queued job names a function outside the worker's allow-list."""


class AllowListWorker(Worker):
    """Runs only the functions in ``allowed``; fails and logs any other job."""

    allowed: ClassVar[frozenset[str]] = frozenset()

    def execute_job(self, job: Job, queue: Queue) -> None:
        try:
            name = job.func_name
        except DeserializationError:
            name = None
        if name in self.allowed:
            super().execute_job(job, queue)
            return
        shown = name if isinstance(name, str) else "(unreadable job data)"
        log.error("refused job %s: %s is not an allowed job function", job.id, shown[:200])
        job.retries_left = 0  # a refused job is never retried
        self.handle_job_failure(
            job, queue=queue, exc_string=f"RefusedJob: {shown[:200]} is not an allowed job"
        )


class VerifierWorker(AllowListWorker):
    allowed = VERIFICATION_JOBS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from verifier.payers import registry  # noqa: F401
        from verifier.verifications.check_many import check_many  # noqa: F401 - imported for the horses
        from workers.jobs import app

        runtime = app().extensions["verifier"]
        runtime.directory  # noqa: B018 - parse the payer directory once
        runtime.facility  # noqa: B018


class MaintenanceWorker(AllowListWorker):
    """The cron queue's worker (with workers.serializers.PlainPickleSerializer)."""

    allowed = MAINTENANCE_JOBS

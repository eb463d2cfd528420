"""The RQ worker classes verifier runs: an allow-list of jobs, the app built before the
horses fork, and a worker that outlives a Redis outage.

Anyone who can write to Redis can enqueue a job naming any importable function
(``shutil.copyfile`` of the data key, say), and a stock RQ worker would run it. These
workers run only the job functions listed here; any other job is failed without being
imported or run, and logged (its id and function name: job arguments are never logged).

RQ forks a work-horse per job; without the warm-up below, every horse imports verifier
and builds the app again (about a second of CPU per job, and idle payer capacity during
it). Built in the parent, the horse inherits it: no connection is opened here (the
engine's pool is disposed after a fork, and Redis and the adapters are created on first
use).

A Redis outage must not end the worker (rq quits on a ConnectionError outside its dequeue
loop, and ``make run`` would then need a person). While a horse runs, a heartbeat that
cannot reach Redis is skipped; once the horse is done, the worker waits for Redis (with
back-off, saying so) and then finishes the job's bookkeeping as rq would have. The
database stays the source of truth: a check the horse finished is final there, and an
RQ retry of it finds nothing to claim.

Scheduled retries after a restart: a dead scheduler's lock expires by itself (rq sets
it for interval + 60 s); this worker tries to take it every ``MAINTENANCE_INTERVAL``
seconds instead of rq's ten minutes, and ``refresh_due`` covers what is left.

    rq worker --worker-class workers.worker.VerifierWorker ...      (verification queues)
    rq worker --worker-class workers.worker.MaintenanceWorker ...   (the cron queue)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Worker
from rq.exceptions import DeserializationError
from rq.job import Job

# The dotted paths verifications.queue and workers/cron.py enqueue (RQ stores these names).
VERIFICATION_JOBS = frozenset(
    {
        "workers.jobs.run_verification",
        "workers.jobs.run_verifications",
        "workers.jobs.deliver_webhooks",  # the webhooks queue (verifier.webhooks.delivery)
    }
)
MAINTENANCE_JOBS = frozenset(
    {
        "workers.maintenance.reconcile",
        "workers.maintenance.refresh_due",
        "workers.maintenance.reverify_upcoming",
        "workers.maintenance.purge_expired",
        "workers.maintenance.dispatch_webhooks",
        "workers.maintenance.report_expiring_authorizations",
    }
)

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
MAINTENANCE_INTERVAL = 30  # seconds; rq's default (600) left retries idle after a restart
WAIT_FIRST, WAIT_CAP = 0.5, 10.0  # back-off while waiting for Redis to come back

T = TypeVar("T")


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


class ResilientWorker(AllowListWorker):
    """Outlives a Redis outage: waits for Redis instead of exiting (see the docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL)
        super().__init__(*args, **kwargs)
        self._horse_exit: tuple[Any, Any, Any] | None = None

    # --- while a horse runs: Redis may go away ---------------------------------------

    def heartbeat(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().heartbeat(*args, **kwargs)
        except REDIS_DOWN as exc:
            log.warning(
                "worker %s: heartbeat skipped, Redis unavailable (%s)", self.name, _kind(exc)
            )

    def maintain_heartbeats(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().maintain_heartbeats(*args, **kwargs)
        except REDIS_DOWN as exc:
            log.warning(
                "worker %s: job heartbeat skipped, Redis unavailable (%s)", self.name, _kind(exc)
            )

    def check_for_suspension(self, *args: Any, **kwargs: Any) -> None:
        self._until_redis_answers(
            lambda: super(ResilientWorker, self).check_for_suspension(*args, **kwargs)
        )

    def run_maintenance_tasks(self) -> None:
        try:
            super().run_maintenance_tasks()
        except REDIS_DOWN as exc:
            log.warning(
                "worker %s: maintenance skipped, Redis unavailable (%s)", self.name, _kind(exc)
            )

    # --- once it is done: wait for Redis, then finish the job's bookkeeping ----------

    def fork_work_horse(self, *args: Any, **kwargs: Any) -> None:
        self._horse_exit = None
        super().fork_work_horse(*args, **kwargs)

    def wait_for_horse(self) -> tuple[Any, Any, Any]:
        """The horse's exit, reaped once (a retried monitor must not wait for another child)."""
        if self._horse_exit is None:
            self._horse_exit = super().wait_for_horse()
        return self._horse_exit

    def monitor_work_horse(self, *args: Any, **kwargs: Any) -> None:
        self._until_redis_answers(
            lambda: super(ResilientWorker, self).monitor_work_horse(*args, **kwargs)
        )

    def execute_job(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().execute_job(*args, **kwargs)
        except REDIS_DOWN as exc:
            # Before the fork (preparing the execution) or setting the state after it: the
            # job stays in Redis's started registry and rq's cleaning re-queues it; the row
            # is the database's either way.
            log.warning(
                "worker %s: job bookkeeping lost, Redis unavailable (%s)", self.name, _kind(exc)
            )
            self._wait_for_redis()

    def _until_redis_answers(self, step: Callable[[], T]) -> T:
        while True:
            try:
                return step()
            except REDIS_DOWN as exc:
                log.warning(
                    "worker %s: Redis unavailable (%s); waiting for it", self.name, _kind(exc)
                )
                self._wait_for_redis()

    def _wait_for_redis(self) -> None:
        wait = WAIT_FIRST
        while True:
            try:
                self.connection.ping()
            except REDIS_DOWN:
                time.sleep(wait)
                wait = min(WAIT_CAP, wait * 2)
                continue
            log.info("worker %s: Redis answers again", self.name)
            return


class VerifierWorker(ResilientWorker):
    """The verification queues' worker: the app built once, before the horses fork."""

    allowed = VERIFICATION_JOBS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from verifier.payers import registry  # noqa: F401
        from verifier.verifications.check_many import check_many  # noqa: F401 - imported for the horses
        from workers.jobs import app

        runtime = app().extensions["verifier"]
        runtime.directory  # noqa: B018 - parse the payer directory once
        runtime.facility  # noqa: B018


class MaintenanceWorker(ResilientWorker):
    """The cron queue's worker (with workers.serializers.PlainPickleSerializer)."""

    allowed = MAINTENANCE_JOBS


def _kind(exc: BaseException) -> str:
    return type(exc).__name__

"""The schedule, loaded by exactly one ``rq cron workers/cron.py`` process.

rq cron has no leader lock, so every job here is idempotent and safe to run twice (see
verifier.verifications.maintenance). Cron jobs take no arguments. They go to their own queue, served
by the maintenance worker (rq cron enqueues with RQ's default serializer, which the
JSON-only verification workers cannot read; the jobs carry no data, so nothing leaks).
Cron strings are read in the process's local time: the supervisor sets TZ=UTC.

Bounds: a lost job is re-enqueued within one lease (VERIFIER_LEASE_SECONDS) plus one
reconcile period; a due retry waits at most one refresh period (plus RQ's grace minute
for rows RQ retries itself).
"""

from __future__ import annotations

from rq import cron

from config.settings import Settings
from verifier.verifications.queue import CRON, queue_name
from workers import maintenance

# Loading this file is rq cron's configuration step: reading the settings here is its job.
QUEUE = queue_name(Settings.from_env().queue_prefix, CRON)
DAY = 86400

cron.register(maintenance.reconcile, QUEUE, interval=60, job_timeout=300, failure_ttl=DAY)
cron.register(maintenance.refresh_due, QUEUE, interval=30, job_timeout=300, failure_ttl=DAY)
cron.register(maintenance.reverify_upcoming, QUEUE, interval=3600, job_timeout=900, failure_ttl=DAY)
cron.register(
    maintenance.purge_expired, QUEUE, cron="17 3 * * *", job_timeout=3600, failure_ttl=DAY
)
cron.register(maintenance.dispatch_webhooks, QUEUE, interval=30, job_timeout=300, failure_ttl=DAY)
cron.register(
    maintenance.report_expiring_authorizations,
    QUEUE,
    cron="7 * * * *",
    job_timeout=300,
    failure_ttl=DAY,
)

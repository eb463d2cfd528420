"""The schedule, loaded by exactly one ``rq cron workers/cron.py`` process.

rq cron has no leader lock, so every job here is idempotent and safe to run twice.
Cron jobs take no arguments. They go to their own queue, served by the maintenance
worker (rq cron enqueues with RQ's default serializer, which the JSON-only
verification workers cannot read; the jobs carry no data, so nothing leaks).
"""

from __future__ import annotations

import os

from rq import cron

from workers import maintenance

QUEUE = f"{os.environ.get('VERIFIER_QUEUE_PREFIX') or 'verifier'}-cron"

cron.register(maintenance.reconcile, QUEUE, interval=60, job_timeout=300, failure_ttl=86400)
cron.register(maintenance.refresh_due, QUEUE, interval=30, job_timeout=300, failure_ttl=86400)

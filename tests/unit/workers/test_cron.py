"""The schedule rq cron loads: every scheduled job runs, and the maintenance worker takes it.

A job in ``verifications.maintenance.JOBS`` that ``workers/cron.py`` forgets never runs in
production (``dispatch_webhooks`` once was: webhooks recorded while Redis was down were
never sent); one the maintenance worker's allow-list forgets is refused when it comes due.
"""

from __future__ import annotations

from redis import Redis
from rq.cron import CronJob, CronScheduler

from tests.conftest import ROOT
from verifier.verifications.maintenance import JOBS
from workers import maintenance
from workers.worker import MAINTENANCE_JOBS


def scheduled() -> dict[str, CronJob]:
    cron = CronScheduler(connection=Redis())  # loading the file does not connect
    cron.load_config_from_file(str(ROOT / "workers" / "cron.py"))
    return {job.func_name: job for job in cron.get_jobs()}


def test_every_scheduled_job_is_registered_with_rq_cron() -> None:
    assert set(scheduled()) == {f"workers.maintenance.{name}" for name in JOBS}


def test_every_registered_job_is_in_the_maintenance_workers_allow_list() -> None:
    assert set(scheduled()) == set(MAINTENANCE_JOBS)


def test_every_scheduled_job_has_its_entry_point() -> None:
    assert all(callable(getattr(maintenance, name, None)) for name in JOBS)


def test_the_webhook_sender_runs_every_30_seconds_as_the_readme_says() -> None:
    assert scheduled()["workers.maintenance.dispatch_webhooks"].interval == 30

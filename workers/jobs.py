"""RQ job entry points. Arguments are verification ids only (never PHI)."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from rq import get_current_job

from verifier import create_app
from verifier.runtime import Runtime, runtime_of

_app: Flask | None = None


def app() -> Flask:
    """One app per worker process (created lazily: nothing runs at import)."""
    global _app
    if _app is None:
        _app = create_app()
    return _app


def run_verification(verification_id: str) -> str | None:
    """Run one attempt; the final state is in the database, the return value is a hint.

    When the attempt leaves the row waiting (payer unavailable, or a crash with retries
    left), RQ's retry is pointed at the row's ``next_attempt_at``: the database owns the
    schedule and RQ is its fast path (see verifier.verifications.retry).
    """
    from verifier.verifications.check import run_check

    flask_app = app()
    with flask_app.app_context():
        runtime = runtime_of(flask_app)
        try:
            # A re-check's comparison with the answer before it is written with the
            # outcome, in the same transaction (verifications.check._finish).
            return run_check(runtime, verification_id)
        except Exception:
            _follow_schedule(runtime, verification_id)
            raise


def _follow_schedule(runtime: Runtime, verification_id: str) -> None:
    from verifier.verifications.retry import seconds_until_due

    job = get_current_job()
    if job is None:
        return
    wait = seconds_until_due(runtime, verification_id, dt.datetime.now(dt.UTC))
    if wait is None:
        job.retries_left = 0  # final or not ours: RQ records the failure, no retry
        return
    job.retries_left = max(job.retries_left or 0, 1)
    job.retry_intervals = [wait]


def run_verifications(verification_ids: list[str]) -> int:
    """A batch job: check these verifications side by side (verifications.check_many)."""
    from verifier.verifications.check_many import check_many

    flask_app = app()
    with flask_app.app_context():
        job = get_current_job()
        return check_many(runtime_of(flask_app), verification_ids, job.id if job else None)


def deliver_webhooks(endpoint_id: str) -> int:
    """The webhooks queue's job: send what is due for one endpoint, in order."""
    from verifier.webhooks.delivery import deliver_endpoint

    flask_app = app()
    with flask_app.app_context():
        return deliver_endpoint(runtime_of(flask_app), endpoint_id)

"""Scheduled jobs (thin: open the app, call verifications.maintenance). No arguments, no PHI."""

from __future__ import annotations

from verifier.runtime import runtime_of
from workers.jobs import app


def _run(name: str) -> int:
    from verifier.verifications.maintenance import JOBS

    flask_app = app()
    with flask_app.app_context():
        return JOBS[name](runtime_of(flask_app))


def reconcile() -> int:
    """Re-enqueue rows whose lease expired or whose job was lost."""
    return _run("reconcile")


def refresh_due() -> int:
    """Enqueue verifications waiting for a retry whose time has come."""
    return _run("refresh_due")


def reverify_upcoming() -> int:
    """Re-check answers for admissions in the next days; flag changes for staff."""
    return _run("reverify_upcoming")


def purge_expired() -> int:
    """Erase PHI past the retention period; an audit row stays for each."""
    return _run("purge_expired")


def dispatch_webhooks() -> int:
    """Send webhooks recorded while Redis was down, or whose retry job was lost."""
    return _run("dispatch_webhooks")


def report_expiring_authorizations() -> int:
    """Send ``authorization.expiring`` for approved authorizations ending within 7 days."""
    return _run("report_expiring_authorizations")

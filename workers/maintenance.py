"""Scheduled jobs (thin: open the app, call the service)."""

from __future__ import annotations

from verifier.runtime import runtime_of
from workers.jobs import app


def reconcile() -> int:
    """Re-enqueue rows whose lease expired or whose job was lost."""
    from verifier.maintenance import reconcile as run

    flask_app = app()
    with flask_app.app_context():
        return run(runtime_of(flask_app))


def refresh_due() -> int:
    """Re-enqueue verifications waiting for a retry whose time has come."""
    from verifier.maintenance import refresh_due as run

    flask_app = app()
    with flask_app.app_context():
        return run(runtime_of(flask_app))

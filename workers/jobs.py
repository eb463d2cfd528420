"""RQ job entry points. Arguments are verification ids only (never PHI)."""

from __future__ import annotations

from flask import Flask

from verifier import create_app
from verifier.runtime import runtime_of

_app: Flask | None = None


def app() -> Flask:
    """One app per worker process (created lazily: nothing runs at import)."""
    global _app
    if _app is None:
        _app = create_app()
    return _app


def run_verification(verification_id: str) -> str | None:
    """Run one attempt; the final state is in the database, the return value is a hint."""
    flask_app = app()
    with flask_app.app_context():
        from verifier.service import run_check

        return run_check(runtime_of(flask_app), verification_id)

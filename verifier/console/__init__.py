"""The intake coordinators' console (/console): server-rendered, CSRF on every form.

Sign-in needs a password and a TOTP code; the session lives server-side (see
verifier.staff.sessions). Pages call verifier.staff.work and audit what they show.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from verifier.console import webhooks  # noqa: F401 - the admins' page joins bp (issue 20)
    from verifier.console.views import bp

    app.register_blueprint(bp)

"""Response headers for every route, and the HTML form's CSRF token.

The CSP allows no inline script or style anywhere ('unsafe-inline' never appears), so a
payer's text that slipped into markup still could not run. Only the visitor pages may be
framed, and only by the origins in VERIFIER_WIDGET_ORIGINS.

CSRF: a random token kept in Flask's signed session cookie and echoed in each form. The
JSON API is exempt: it reads no cookies, and its application/json bodies need a CORS
preflight that this app never grants.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Flask, current_app, g, request, session
from werkzeug.exceptions import BadRequest

from verifier.runtime import runtime_of

EMBEDDABLE_PREFIX = "/verify"
# Swagger UI draws its icons from data: URIs; only its page may load those.
DOCS_PREFIX = "/api/v1/docs"
HSTS = "max-age=31536000; includeSubDomains"
CSRF_FIELD = "csrf_token"


def frame_ancestors(origins: tuple[str, ...]) -> str:
    return " ".join(origins) if origins else "'none'"


def content_security_policy(framers: str, images: str = "'self'") -> str:
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {framers}"
    )


def security_headers(response: Any) -> Any:
    """Set on every response; a view that set its own value keeps it."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Strict-Transport-Security", HSTS)
    headers.setdefault("X-Request-Id", g.get("request_id", ""))
    embeddable = request.path == EMBEDDABLE_PREFIX or request.path.startswith(
        EMBEDDABLE_PREFIX + "/"
    )
    origins = runtime_of(current_app).settings.widget_origins if embeddable else ()
    images = "'self' data:" if request.path.startswith(DOCS_PREFIX) else "'self'"
    headers.setdefault(
        "Content-Security-Policy", content_security_policy(frame_ancestors(origins), images)
    )
    if not origins:
        headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
    return response


def csrf_token() -> str:
    """The session's token, made on first use (Jinja global)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """400 unless the form echoes the session's token."""
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, given):
        raise BadRequest("The form's security token is missing or expired.")


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token

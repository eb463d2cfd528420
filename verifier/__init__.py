"""verifier: insurance-benefit verification for behavioral-health treatment centers.

``create_app`` is the one factory (Flask-tutorial style): every entry point (gunicorn,
workers, CLI, tests) builds the same app from Settings. Nothing runs at import.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from flask import Flask, Request, g, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, UnsupportedMediaType

from config.settings import Settings

if TYPE_CHECKING:
    from verifier.runtime import Runtime

log = logging.getLogger(__name__)


class VerifierRequest(Request):
    """Flask's request, but JSON nested too deep is a 400, not a RecursionError 500."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("The JSON body is nested too deeply.") from None


def create_app(settings: Settings | None = None) -> Flask:
    from verifier import api, console, logs, web
    from verifier.cli import commands as cli
    from verifier.ops import outage
    from verifier.runtime import Runtime

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.request_class = VerifierRequest
    app.config.update(
        SECRET_KEY=settings.flask_secret_key(),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
        API_TITLE="verifier",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    logs.configure(settings.log_level)
    runtime = Runtime(settings)
    _check_part2_recipients(runtime)
    app.extensions["verifier"] = runtime

    app.before_request(_request_id)
    app.before_request(_require_json_body)
    api.init_app(app)
    console.init_app(app)
    web.init_app(app)  # visitor pages, widget, and every response's security headers
    cli.init_app(app)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(LookupError, _not_found)
    app.register_error_handler(Exception, _unexpected_error)
    outage.init_app(app)  # a database or Redis that is down: 503 with a reason (issue 19)
    return app


def _check_part2_recipients(runtime: Runtime) -> None:
    """Web, workers and the CLI all start here: none may run Part 2 checks whose consent
    cannot name the clearinghouse (verifier.part2.consent.require_named_recipients)."""
    from verifier.part2.consent import require_named_recipients
    from verifier.payers.directory import DirectoryError

    try:
        entries = runtime.directory.entries.values()
    except (DirectoryError, OSError):
        # An unreadable directory is reported where payers are used (the checks fail
        # with its reason, /readyz and /metrics say so); nothing can be sent through it.
        return
    require_named_recipients(runtime.facility, entries)


def _request_id() -> None:
    """Our own id for every request: a client's X-Request-Id is never stored as sent
    (it could forge or collide with another request's audit rows); it is kept beside
    ours, as ``client_request_id``, for logs only."""
    g.request_id = uuid.uuid4().hex
    incoming = request.headers.get("X-Request-Id", "")
    g.client_request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else None


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")


def _require_json_body() -> None:
    """Bodies of API writes must be JSON: 415 otherwise (before any parsing).

    A method the route does not have is a 405 first, and a write with no body at all
    (``POST .../review``) needs no media type.
    """
    writes = request.method in ("POST", "PUT", "PATCH")
    if not writes or not request.path.startswith("/api/") or request.is_json:
        return
    if request.routing_exception is not None or not _has_body():
        return
    if request.path == "/api/v1/batches" and request.mimetype == "text/csv":
        return  # a batch may be uploaded as a CSV file
    raise UnsupportedMediaType("Send the body as application/json.")


def _http_error(error: HTTPException) -> Any:
    """JSON for the API (flask-smorest's handler shapes it); plain pages elsewhere."""
    from flask import current_app

    if request.path.startswith("/console"):  # the console's own pages (issue 16)
        from verifier.console.views import error_page

        return error_page(error.code or 500, error.description)
    api = current_app.extensions["verifier_api"]
    return api.handle_http_exception(error)


def _not_found(error: LookupError) -> Any:
    """A staff action on an id that does not exist (verifier.staff.work.NotFoundError)."""
    from verifier.staff.errors import NotFoundError

    if not isinstance(error, NotFoundError):
        return _unexpected_error(error)
    return _http_error(NotFound("No such verification."))


def _unexpected_error(error: Exception) -> Any:
    """A bug is logged with its type and request id only (no request data: it may be PHI)."""
    from verifier.logs import log_exception

    route = request.url_rule.rule if request.url_rule else "?"
    log_exception(
        log, f"unhandled error on {request.method} {route} (request {g.get('request_id')})", error
    )
    if request.path.startswith("/console"):
        from verifier.console.views import error_page

        return error_page(500, None)
    return {"code": 500, "status": "Internal Server Error"}, 500

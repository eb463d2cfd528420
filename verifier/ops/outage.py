"""The outage contract: a part that is down answers 503 with a reason, never a bare 500.

A database that does not answer (stopped, unreachable, its pool exhausted), refuses writes
(disk full, a lock held past the busy timeout) or a Redis that is gone is not a bug in the
request: the API answers ``503 {"errors": ...}`` with ``Retry-After``, a visitor gets a
kind page in their language with the facility's phone number, staff a console page. The
log names the part and the error's type only (a database error's text quotes the SQL
and its parameters, which may hold PHI). ``/readyz`` says which part is down.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

RETRY_AFTER = 30  # seconds: long enough for a restart, short enough for a person waiting
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)
REDIS_ERRORS: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)

PART_MESSAGES = {
    "database": "The database is unavailable; nothing was changed. Try again shortly.",
    "redis": "The queue is unavailable; nothing was changed. Try again shortly.",
}


def part_of(error: BaseException) -> str:
    return "database" if isinstance(error, DATABASE_ERRORS) else "redis"


def init_app(app: Flask) -> None:
    for kind in DATABASE_ERRORS + REDIS_ERRORS:
        app.register_error_handler(kind, unavailable)


def unavailable(error: Exception) -> Response:
    part = part_of(error)
    cause = getattr(error, "orig", None) or error
    route = request.url_rule.rule if request.url_rule else "?"
    log.warning(
        "%s unavailable on %s %s (request %s): %s",
        part,
        request.method,
        route,
        g.get("request_id"),
        type(cause).__name__,
    )
    response = _page(part) or _json(part)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def _json(part: str) -> Response:
    body: dict[str, Any] = {
        "code": 503,
        "status": "Service Unavailable",
        "errors": {part: [PART_MESSAGES[part]]},
    }
    return make_response(jsonify(body))


def _page(part: str) -> Response | None:
    """A page for people: visitors (in their language) and staff; None for the API."""
    if request.path.startswith("/api/") or request.is_json:
        return None
    if request.blueprint == "web" and not request.path.startswith("/verify/status/"):
        from verifier.web import messages, views

        language = views._language()
        phone = views._runtime().facility.phone
        message = messages.say(language, "unavailable", phone=phone)
        return views._render("error.html", 503, message=message, language=language)
    if request.blueprint == "console":
        return make_response(render_template("console/unavailable.html", part=part))
    return None

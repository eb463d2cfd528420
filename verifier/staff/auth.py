"""Who is asking, and may they: for every staff route, API (Bearer) or console (cookie).

Every refusal is audited (authorization_failed), and every route's access level is
declared in ``verifier.staff.policy`` (a test walks the URL map against it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, redirect, request, url_for
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from verifier import audit
from verifier.runtime import runtime_of
from verifier.staff import sessions
from verifier.staff.accounts import Staff, staff_for_token

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# A console user still on a one-time password may only change it or sign out.
PASSWORD_ENDPOINTS = ("console.password", "console.password_submit", "console.logout")


def current_staff() -> Staff | None:
    """The staff member behind this request (token or console session), cached per request."""
    if "staff" in g:
        return cast(Staff | None, g.staff)
    runtime = runtime_of(current_app)
    staff: Staff | None = None
    header = request.headers.get("Authorization", "")
    # The console runs on its session cookie (and its CSRF token): a Bearer token there
    # is not a sign-in, so the page asks for one instead of failing.
    if header.startswith("Bearer ") and not request.path.startswith("/console"):
        staff = staff_for_token(runtime, header.removeprefix("Bearer ").strip())
        g.auth_via = "token"
    else:
        console = sessions.load(runtime, request.cookies.get(sessions.COOKIE))
        if console is not None:
            staff = console.staff
            g.csrf_token = console.csrf_token
        g.auth_via = "session"
    g.staff = staff
    return staff


def record(
    action: str,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    records: Iterable[str] = (),
) -> None:
    """Audit a staff action of this request (ids and outcomes only).

    ``records``: the verification ids a list showed (search, export, queue, call-backs).
    """
    staff = g.get("staff")
    runtime = runtime_of(current_app)
    audit.record(
        runtime.db,
        runtime.audit_keys,
        audit.Entry(
            actor=actor or (staff.email if staff else "anonymous"),
            action=action,
            outcome=outcome,
            object_type=object_type,
            object_id=object_id,
            source_addr=request.remote_addr,
            request_id=g.get("request_id"),
        ),
        records=records,
    )


def _wants_html() -> bool:
    return request.path.startswith("/console")


def staff_required(role: str = "coordinator") -> Callable[[F], F]:
    """Refuse anonymous (401, or the login page) and the wrong role (403); check CSRF."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                record("authorization_failed", "unauthenticated", "route", request.endpoint)
                if _wants_html():
                    return redirect(url_for("console.login", next=request.path))
                raise Unauthorized(
                    "Staff sign-in or an API token is needed.",
                    www_authenticate=WWWAuthenticate("Bearer"),
                )
            if (
                staff.must_change_password
                and _wants_html()
                and request.endpoint not in PASSWORD_ENDPOINTS
            ):
                return redirect(url_for("console.password"))
            if role == "admin" and not staff.is_admin:
                record("authorization_failed", "forbidden", "route", request.endpoint)
                raise Forbidden("Your role does not allow this.")
            if request.method in UNSAFE and g.get("auth_via") == "session":
                sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
                if not sent or sent != g.get("csrf_token"):
                    record("authorization_failed", "csrf", "route", request.endpoint)
                    raise Forbidden("The form expired; reload the page and try again.")
            return view(*args, **kwargs)

        _document_security(guarded)
        return cast(F, guarded)

    return decorate


def _document_security(view: Any) -> None:
    """The route's OpenAPI operation names how staff authenticate (flask-smorest reads
    ``_apidoc``; functools.wraps copied the inner view's)."""
    apidoc = dict(getattr(view, "_apidoc", {}))
    manual = dict(apidoc.get("manual_doc", {}))
    manual.setdefault("security", [{"bearerAuth": []}, {"consoleSession": []}])
    apidoc["manual_doc"] = manual
    view._apidoc = apidoc

"""Console pages and form actions. Each PHI read or change writes one audit row."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from verifier.api.staff import ManualSchema
from verifier.domain import LevelOfCare
from verifier.lifecycle import FAILED, NEEDS_REVIEW, RETRY_WAIT, STATES
from verifier.runtime import runtime_of
from verifier.staff import accounts, patients, sessions, work
from verifier.staff.auth import current_staff, record, staff_required
from verifier.store.models import AuditEvent
from verifier.x12.pretty import pretty

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
LOGIN_CSRF_COOKIE = "verifier_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only plain paths inside the console: no open redirect, no header injection."""
    if (
        target
        and len(target) <= 500
        and target.startswith("/console")
        and target.isascii()
        and target.isprintable()
        and " " not in target
        and "\\" not in target
    ):
        return target
    return url_for("console.queue")


@bp.get("/login")
def login() -> Response:
    token = secrets.token_urlsafe(32)
    response = make_response(
        render_template("console/login.html", csrf_token=token, next=request.args.get("next"))
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/console",
        secure=runtime_of(current_app).settings.is_production,
    )
    return response


@bp.post("/login")
def login_submit() -> Any:
    sent = request.form.get("csrf_token", "")
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not sent or not secrets.compare_digest(sent, expected):
        raise BadRequest("The sign-in form expired; reload the page.")
    runtime = runtime_of(current_app)
    email = request.form.get("email", "")
    attempt = accounts.sign_in(
        runtime,
        email,
        request.form.get("password", ""),
        request.form.get("code", ""),
        source=request.remote_addr,
    )
    staff = attempt.staff
    if staff is None:
        account = str(attempt.account_id) if attempt.account_id is not None else "unknown"
        record("login_failed", "denied", "staff_user", account, actor="anonymous")
        if attempt.locked_now:
            record("login_locked", "locked", "staff_user", account, actor="anonymous")
        token = secrets.token_urlsafe(32)
        response = make_response(
            render_template(
                "console/login.html",
                csrf_token=token,
                error="Email, password or code not accepted, or the account is locked.",
                next=request.form.get("next"),
            ),
            401,
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            path="/console",
            secure=runtime.settings.is_production,
        )
        return response
    sessions.end(runtime, request.cookies.get(sessions.COOKIE))  # never reuse an old id
    session_id = sessions.start(runtime, staff)
    g.staff = staff
    record("login", object_type="staff_user", object_id=str(staff.id))
    target = redirect(_safe_next(request.form.get("next")))
    target.set_cookie(
        sessions.COOKIE,
        session_id,
        httponly=True,
        samesite="Strict",
        secure=runtime.settings.is_production,
        max_age=int(sessions.ABSOLUTE.total_seconds()),
    )
    target.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return target


@bp.post("/logout")
@staff_required()
def logout() -> Any:
    runtime = runtime_of(current_app)
    sessions.end(runtime, request.cookies.get(sessions.COOKIE))
    record("logout", object_type="staff_user", object_id=str(g.staff.id))
    response = redirect(url_for("console.login"))
    response.delete_cookie(sessions.COOKIE)
    return response


@bp.get("/password")
@staff_required()
def password() -> str:
    return render_template("console/password.html", csrf_token=g.csrf_token)


@bp.post("/password")
@staff_required()
def password_submit() -> Any:
    """A new password of the user's own; the one-time password stops working."""
    new = request.form.get("new", "")
    error = None
    if new != request.form.get("again", ""):
        error = "The two new passwords differ."
    else:
        try:
            accounts.change_password(
                runtime_of(current_app), g.staff, request.form.get("current", ""), new
            )
        except accounts.AccountError as exc:
            error = str(exc)
    if error:
        record("password_changed", "denied", "staff_user", str(g.staff.id))
        page = render_template("console/password.html", csrf_token=g.csrf_token, error=error)
        return page, 400
    record("password_changed", object_type="staff_user", object_id=str(g.staff.id))
    return redirect(url_for("console.queue"))


QUEUE_SECTIONS = (
    ("New", {"status": "completed", "reviewed": False}),
    ("Needs review", {"status": NEEDS_REVIEW}),
    ("Failed", {"status": FAILED}),
    ("Call back requested", {"callback_requested": True}),
    ("Retry scheduled", {"status": RETRY_WAIT}),
)


@bp.get("")
@staff_required()
def queue() -> str:
    runtime = runtime_of(current_app)
    sections = []
    for title, criteria in QUEUE_SECTIONS:
        query = work.SearchQuery(
            status=criteria.get("status"),  # type: ignore[arg-type]
            callback_requested=criteria.get("callback_requested"),  # type: ignore[arg-type]
            per_page=25,
        )
        items, total = work.search(runtime, query)
        if criteria.get("reviewed") is False:
            items = [item for item in items if not item["reviewed"]]
        sections.append((title, items, total))
    shown = list(dict.fromkeys(item["id"] for _, items, _ in sections for item in items))
    record("search", object_type="verification", object_id="queue", records=shown)
    return render_template("console/queue.html", sections=sections, csrf_token=g.csrf_token)


def _page(raw: str | None) -> int:
    """A page number from a form: ASCII digits within bounds, else the first page."""
    if raw and len(raw) <= 6 and raw.isascii() and raw.isdigit():
        return max(1, int(raw))
    return 1


def _search_form() -> work.SearchQuery:
    """The search as the console sends it: terms only in a POST body (URLs are logged)."""
    source = request.form if request.method == "POST" else request.args
    if request.method != "POST" and request.args.get("q", "").strip():
        raise BadRequest("Search terms are sent by the form, not in the address.")
    status = source.get("status") or None
    if status is not None and status not in STATES:
        status = None
    return work.SearchQuery(
        q=source.get("q", "")[:200] if request.method == "POST" else "",
        status=status,
        payer_id=(source.get("payer_id") or "")[:80] or None,
        page=_page(source.get("page")),
    )


@bp.route("/search", methods=["GET", "POST"])
@staff_required()
def search() -> str:
    query = _search_form()
    items, total = work.search(runtime_of(current_app), query)
    record(
        "search",
        object_type="verification",
        object_id=f"results:{total}",
        records=[item["id"] for item in items],
    )
    return render_template(
        "console/search.html",
        items=items,
        total=total,
        query=query,
        states=STATES,
        csrf_token=g.csrf_token,
    )


@bp.get("/verifications/<verification_id>")
@staff_required()
def detail(verification_id: str) -> str:
    runtime = runtime_of(current_app)
    data = work.detail(runtime, verification_id)  # unknown id: 404
    record("view", object_type="verification", object_id=verification_id)
    for attempt in data["attempts"]:
        attempt["request_lines"] = pretty(attempt["request"]) if attempt.get("request") else []
        attempt["response_lines"] = pretty(attempt["response"]) if attempt.get("response") else []
    return render_template(
        "console/detail.html",
        v=data,
        levels=[level.value for level in LevelOfCare],
        csrf_token=g.csrf_token,
    )


def _back(verification_id: str) -> Response:
    return redirect(url_for("console.detail", verification_id=verification_id))  # type: ignore[return-value]


@bp.post("/verifications/<verification_id>/rerun")
@staff_required()
def rerun(verification_id: str) -> Response:
    level = request.form.get("level_of_care") or None
    if level is not None and level not in {choice.value for choice in LevelOfCare}:
        raise BadRequest("Choose a level of care from the list.")
    work.rerun(runtime_of(current_app), verification_id, LevelOfCare(level) if level else None)
    record("rerun", object_type="verification", object_id=verification_id)
    return _back(verification_id)


@bp.post("/verifications/<verification_id>/notes")
@staff_required()
def note(verification_id: str) -> Response:
    try:
        work.add_note(
            runtime_of(current_app), g.staff, verification_id, request.form.get("text", "")
        )
    except ValueError:
        raise BadRequest("A note needs 1 to 4000 characters.") from None
    record("note", object_type="verification", object_id=verification_id)
    return _back(verification_id)


@bp.post("/verifications/<verification_id>/manual")
@staff_required()
def manual(verification_id: str) -> Response:
    form = {
        key: value for key, value in request.form.items() if value != "" and key != "csrf_token"
    }
    try:
        args = ManualSchema().load(form)
        work.record_manual(
            runtime_of(current_app), g.staff, verification_id, work.ManualEntry(**args)
        )
    except ValidationError as exc:
        raise BadRequest(f"Check the fields: {', '.join(sorted(exc.messages))}") from None
    record("manual_entry", object_type="verification", object_id=verification_id)
    return _back(verification_id)


@bp.post("/verifications/<verification_id>/review")
@staff_required()
def review(verification_id: str) -> Response:
    work.mark_reviewed(runtime_of(current_app), g.staff, verification_id)
    record("review", object_type="verification", object_id=verification_id)
    return _back(verification_id)


@bp.post("/verifications/<verification_id>/patient")
@staff_required()
def patient(verification_id: str) -> Response:
    """Mark (``became_patient=yes``) or undo (``no``) the member's admission."""
    runtime = runtime_of(current_app)
    choice = request.form.get("became_patient")
    if choice == "yes":
        try:
            _, changed = patients.mark(runtime, g.staff, verification_id)
        except patients.Erased:
            record("patient_marked", "erased", "verification", verification_id)
            raise BadRequest("Personal details were already erased.") from None
        action = "patient_marked"
    elif choice == "no":
        _, changed = patients.unmark(runtime, verification_id)
        action = "patient_unmarked"
    else:
        raise BadRequest("Choose yes or no.")
    record(action, "ok" if changed else "unchanged", "verification", verification_id)
    return _back(verification_id)


@bp.get("/callbacks")
@staff_required()
def callbacks() -> str:
    items = work.callbacks(runtime_of(current_app))
    record(
        "view",
        object_type="callback_request",
        object_id=f"rows:{len(items)}",
        records=[item["id"] for item in items],
    )
    return render_template(
        "console/callbacks.html", items=items, states=work.CALLBACK_STATES, csrf_token=g.csrf_token
    )


@bp.post("/callbacks/<request_id>")
@staff_required()
def callback_status(request_id: str) -> Response:
    try:
        work.set_callback_status(
            runtime_of(current_app), request_id, request.form.get("status", "")
        )
    except ValueError:
        raise BadRequest("Choose a status from the list.") from None
    record("note", object_type="callback_request", object_id=request_id)
    return redirect(url_for("console.callbacks"))  # type: ignore[return-value]


@bp.route("/export.csv", methods=["GET", "POST"])
@staff_required()
def export() -> Response:
    export = work.export_csv(runtime_of(current_app), _search_form())
    record(
        "export",
        object_type="verification",
        object_id=f"rows:{len(export.ids)}",
        records=export.ids,
    )
    return Response(
        export.body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=verifications.csv"},
    )


@bp.get("/audit")
@staff_required(role="admin")
def audit_log() -> str:
    with runtime_of(current_app).db.session() as session:
        events = list(
            session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200)).scalars()
        )
    record(
        "audit_viewed",
        object_type="audit_event",
        object_id=f"rows:{len(events)}",
        records=[str(event.id) for event in events],
    )
    return render_template("console/audit.html", events=events, csrf_token=g.csrf_token)


@bp.app_context_processor
def _console_context() -> dict[str, Any]:
    return {"staff": g.get("staff")}


__all__ = ["bp", "current_staff"]

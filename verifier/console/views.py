"""Console pages and form actions. Each PHI read or change writes one audit row."""

from __future__ import annotations

import datetime as dt
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
from werkzeug.exceptions import BadRequest, Conflict, NotFound

from verifier.console import pages
from verifier.coverage.words import staff_lines
from verifier.domain import LevelOfCare
from verifier.part2 import ledger as part2_ledger
from verifier.part2 import staff as part2_staff
from verifier.part2.revoke import revoke as part2_revoke_consent
from verifier.part2.signed import ConsentNotRecorded, record_signed
from verifier.runtime import runtime_of
from verifier.staff import (
    accounts,
    authorizations,
    calls,
    forms,
    patients,
    phone_vob,
    sessions,
    triage,
    work,
)
from verifier.staff.auth import current_staff, record, staff_required
from verifier.store.models import AuditEvent, Verification
from verifier.verifications import callbacks as callbacks_of
from verifier.verifications.lifecycle import STATES, RunConflict
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


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


def _flag(name: str) -> bool | None:
    return {"yes": True, "no": False}.get(request.args.get(name, ""))


def _triage_query() -> triage.TriageQuery:
    args = request.args
    page = args.get("page", "1")
    return triage.TriageQuery(
        view="all" if args.get("view") == "all" else "needs_person",
        outcome=_choice("outcome", triage.OUTCOMES),
        network=_choice("network", ("in_network", "out_of_network", "unknown")),
        preauth=_choice("preauth", ("required", "not required", "unknown")),
        carve_out=_flag("carve_out"),
        visits=_choice("visits", ("none_left", "some_left", "not_reported")),
        cost=_choice("cost", ("shown", "not_shown")),
        callback=_flag("callback"),
        source=_choice("source", ("visitor", "batch", "staff")),
        auth_alert=_flag("auth_alert"),
        batch_id=(args.get("batch") or None) if (args.get("batch") or "").isalnum() else None,
        sort=_choice("sort", tuple(triage.SORTS)) or "age",
        descending=args.get("order", "desc") != "asc",
        page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
    )


@bp.get("")
@staff_required()
def queue() -> str:
    runtime = runtime_of(current_app)
    query = _triage_query()
    found = triage.search(runtime, query)
    record(
        "search",
        object_type="verification",
        object_id=f"queue:{found['total']}",
        records=[item["id"] for item in found["items"]],
    )
    kept = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "console/queue.html",
        found=found,
        query=query,
        kept=kept,
        outcomes=triage.OUTCOMES,
        batches=triage.recent_batches(runtime),
        csrf_token=g.csrf_token,
    )


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
    return _detail_page(verification_id)


def _detail_page(
    verification_id: str,
    status: int = 200,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
) -> Any:
    """The detail page; after a refused form, that form open with its values and messages."""
    runtime = runtime_of(current_app)
    data = work.detail(runtime, verification_id)  # unknown id: 404
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        saw = pages.visitor_saw(runtime, row) if row is not None else []
    vobs = phone_vob.phone_vobs(runtime, verification_id)
    auths = authorizations.for_verification(runtime, verification_id)
    calls_here = calls.for_verification(runtime, verification_id)
    record("view", object_type="verification", object_id=verification_id)
    for level_summary in (data.get("summaries_by_level") or {}).values():
        if isinstance(level_summary, dict):  # the staff summary's words (coverage/words.py)
            level_summary["staff_lines"] = staff_lines(level_summary)
    for attempt in data["attempts"]:
        attempt["request_lines"] = pretty(attempt["request"]) if attempt.get("request") else []
        attempt["response_lines"] = pretty(attempt["response"]) if attempt.get("response") else []
    grids = pages.grids_by_level(data["attempts"])
    requested = data["level_of_care"]
    body = render_template(
        "console/detail.html",
        v=data,
        part2=part2_staff.detail(runtime, verification_id),  # 42 CFR Part 2 consent, ledger
        grids=grids,
        requested=grids.get(requested),
        electronic=(
            pages.latest_electronic(data["attempts"], requested)
            if (grids.get(requested) or {}).get("source") == "manual"
            else None
        ),
        others={level: view for level, view in grids.items() if level != requested},
        visitor_saw=saw,
        phone_vobs=vobs,
        authorizations=auths,
        calls=calls_here,
        callback_states=callbacks_of.CALLBACK_STATES,
        auth_statuses=forms.AUTH_STATUSES,
        levels=[level.value for level in LevelOfCare],
        level_options=[(level.value, level.value) for level in LevelOfCare],
        form=form,
        values=values or {},
        errors=errors or {},
        csrf_token=g.csrf_token,
    )
    return (body, status) if status != 200 else body


def _field_errors(exc: ValidationError) -> dict[str, str]:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    shown: dict[str, str] = {}
    for name, said in messages.items():
        shown[name] = " ".join(str(m) for m in said) if isinstance(said, list) else str(said)
    return shown


def _form_values() -> dict[str, str]:
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


def _back(verification_id: str) -> Response:
    return redirect(url_for("console.detail", verification_id=verification_id))  # type: ignore[return-value]


@bp.post("/verifications/<verification_id>/rerun")
@staff_required()
def rerun(verification_id: str) -> Response:
    level = request.form.get("level_of_care") or None
    if level is not None and level not in {choice.value for choice in LevelOfCare}:
        raise BadRequest("Choose a level of care from the list.")
    try:
        work.rerun(runtime_of(current_app), verification_id, LevelOfCare(level) if level else None)
    except RunConflict as exc:
        record("rerun", "conflict", "verification", verification_id)
        raise Conflict(f"Not re-run: {exc}.") from None
    record("rerun", object_type="verification", object_id=verification_id)
    return _back(verification_id)


@bp.post("/verifications/<verification_id>/notes")
@staff_required()
def note(verification_id: str) -> Any:
    try:
        work.add_note(
            runtime_of(current_app), g.staff, verification_id, request.form.get("text", "")
        )
    except ValueError:
        return _detail_page(
            verification_id,
            422,
            form="note",
            values=_form_values(),
            errors={"text": "A note needs 1 to 4000 characters."},
        )
    record("note", object_type="verification", object_id=verification_id)
    return _back(verification_id)


@bp.post("/verifications/<verification_id>/manual")
@staff_required()
def manual(verification_id: str) -> Any:
    """A phone VOB; refused fields come back next to their inputs, the form kept."""
    typed = _form_values()
    try:
        loaded = forms.PhoneVobSchema().load({k: v for k, v in typed.items() if v != ""})
    except ValidationError as exc:
        record("manual_entry", "invalid", "verification", verification_id)
        return _detail_page(
            verification_id, 422, form="manual", values=typed, errors=_field_errors(exc)
        )
    entry = forms.phone_vob_entry(loaded, typed)
    phone_vob.record(runtime_of(current_app), g.staff, verification_id, entry)
    record("manual_entry", object_type="verification", object_id=verification_id)
    return redirect(
        url_for("console.detail", verification_id=verification_id, _anchor="phone-vobs")
    )


@bp.post("/verifications/<verification_id>/authorizations")
@staff_required()
def add_authorization(verification_id: str) -> Any:
    typed = _form_values()
    try:
        loaded = forms.AuthorizationSchema().load({k: v for k, v in typed.items() if v != ""})
    except ValidationError as exc:
        record("authorization_add", "invalid", "verification", verification_id)
        return _detail_page(
            verification_id, 422, form="authorization", values=typed, errors=_field_errors(exc)
        )
    try:
        authorizations.add(runtime_of(current_app), g.staff, verification_id, loaded)
    except work.NotFoundError:
        raise NotFound("No such verification.") from None
    record("authorization_add", object_type="verification", object_id=verification_id)
    return redirect(
        url_for("console.detail", verification_id=verification_id, _anchor="authorizations")
    )


@bp.post("/verifications/<verification_id>/authorizations/<int:authorization_id>")
@staff_required()
def update_authorization(verification_id: str, authorization_id: int) -> Any:
    typed = _form_values()
    try:
        loaded = forms.AuthorizationUpdateSchema().load({k: v for k, v in typed.items() if v != ""})
        authorizations.update_units(
            runtime_of(current_app), g.staff, verification_id, authorization_id, loaded
        )
    except ValidationError as exc:
        record("authorization_update", "invalid", "authorization", str(authorization_id))
        return _detail_page(
            verification_id,
            422,
            form=f"authorization-{authorization_id}",
            values=typed,
            errors=_field_errors(exc),
        )
    except work.NotFoundError:
        raise NotFound("No such authorization on this verification.") from None
    record("authorization_update", object_type="authorization", object_id=str(authorization_id))
    return redirect(
        url_for("console.detail", verification_id=verification_id, _anchor="authorizations")
    )


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


@bp.post("/verifications/<verification_id>/part2/revoke")
@staff_required()
def part2_revoke(verification_id: str) -> Response:
    """Record the person's revocation of their Part 2 consent: no further checks."""
    if request.form.get("confirm") != "yes":
        raise BadRequest("Tick the box to confirm the person asked to revoke the consent.")
    try:
        done = part2_revoke_consent(
            runtime_of(current_app), verification_id, g.staff.email, work.utcnow()
        )
    except LookupError:
        raise work.NotFoundError(verification_id) from None
    except ValueError:
        raise BadRequest("This verification is not for a 42 CFR Part 2 program.") from None
    record(
        "part2_revoke",
        "ok" if done.verifications else "unchanged",
        "verification",
        verification_id,
    )
    return _back(verification_id)


@bp.post("/verifications/<verification_id>/part2/consent")
@staff_required()
def part2_consent(verification_id: str) -> Any:
    """Record a Part 2 consent the patient signed on paper; the check can then be re-run."""
    values = _form_values()
    errors: dict[str, str] = {}
    if request.form.get("confirm") != "yes":
        errors["confirm"] = "Confirm the signed copy is kept in the patient's record."
    signed_on: dt.date | None = None
    try:
        signed_on = dt.date.fromisoformat(values.get("signed_on") or "")
    except ValueError:
        errors["signed_on"] = "Enter the date the patient signed, like 2026-12-01."
    if not errors:
        try:
            record_signed(
                runtime_of(current_app),
                verification_id,
                signature=values.get("signature") or "",
                signed_on=signed_on,
                staff_email=g.staff.email,
                now=work.utcnow(),
            )
        except LookupError:
            raise work.NotFoundError(verification_id) from None
        except ConsentNotRecorded as exc:
            errors[exc.field or "form"] = exc.message
    if errors:
        record("part2_consent", "refused", "verification", verification_id)
        return _detail_page(verification_id, 422, form="part2_consent", values=values,
                            errors=errors)
    record("part2_consent", object_type="verification", object_id=verification_id)
    return _back(verification_id)


@bp.get("/verifications/<verification_id>/part2/disclosures.csv")
@staff_required()
def part2_disclosures(verification_id: str) -> Response:
    """The person's list of disclosures (every Part 2 verification of theirs), as CSV."""
    try:
        entries = part2_ledger.for_person(runtime_of(current_app), verification_id)
    except LookupError:
        raise work.NotFoundError(verification_id) from None
    record("export", object_type="part2_disclosures", object_id=f"{verification_id}:{len(entries)}")
    return Response(
        part2_ledger.export_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=disclosures.csv"},
    )


@bp.get("/callbacks")
@staff_required()
def callbacks() -> str:
    show_closed = request.args.get("closed") == "yes"
    items = calls.listing(runtime_of(current_app), show_closed=show_closed)
    record(
        "view",
        object_type="callback_request",
        object_id=f"rows:{len(items)}",
        records=[item["id"] for item in items],
    )
    return render_template(
        "console/callbacks.html",
        items=items,
        show_closed=show_closed,
        states=callbacks_of.CALLBACK_STATES,
        language_names=pages.LANGUAGE_NAMES,
        csrf_token=g.csrf_token,
    )


@bp.post("/callbacks/<request_id>")
@staff_required()
def callback_status(request_id: str) -> Response:
    kind = "verification" if request.form.get("kind") == "verification" else "callback"
    try:
        calls.set_status(
            runtime_of(current_app), g.staff, kind, request_id, request.form.get("status", "")
        )
    except callbacks_of.UnknownCallback:
        raise NotFound("No such call-back request.") from None
    except ValueError:
        raise BadRequest("Choose a status from the list.") from None
    record("callback_status", object_type="callback_request", object_id=request_id)
    back = request.form.get("back", "")
    if back and work.VERIFICATION_ID.fullmatch(back):
        return redirect(url_for("console.detail", verification_id=back, _anchor="callbacks"))  # type: ignore[return-value]
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


ERROR_TITLES = {
    400: "The request could not be read",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Changed meanwhile",
    413: "Too large",
    422: "Check the fields",
    429: "Too many requests",
    500: "Something went wrong on our side",
    503: "A part of the service is down",
}


def error_page(code: int, message: str | None) -> Response:
    """Any console error as a page in the console's layout (never raw JSON)."""
    if code == 500 or not message:
        message = {
            500: "The error was logged with this request's id. Try again; if it keeps "
            "happening, tell your administrator the request id below.",
        }.get(code, "")
    if "staff" not in g:
        current_staff()  # the nav (and sign-out) on a page no console route answered
    body = render_template(
        "console/error.html",
        code=code,
        title=ERROR_TITLES.get(code, "Error"),
        message=message,
        request_id=g.get("request_id"),
        csrf_token=g.get("csrf_token", ""),
    )
    response = make_response(body, code)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


@bp.app_context_processor
def _console_context() -> dict[str, Any]:
    return {"staff": g.get("staff")}


__all__ = ["bp", "current_staff"]

"""Verify Online: the visitor's form, progress and result pages, the call-back form, the widget.

Works without JavaScript: the form posts here, is checked by the API's own SubmitSchema, and
the status token then lives in a short-lived HttpOnly, SameSite=Strict cookie scoped to the
result's path, never in a URL. With JavaScript the page uses the JSON API instead and keeps
the token in sessionStorage (this tab only), polling ``/verify/status/<id>`` by header.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, TooManyRequests

from verifier.domain import LevelOfCare
from verifier.part2 import consent as part2_consent
from verifier.payers.directory import UnknownPayer
from verifier.runtime import Runtime, runtime_of
from verifier.store.records import ContactRecord
from verifier.verifications import callbacks, intake
from verifier.verifications import visitor_entries as visitor
from verifier.verifications.schemas import submission_from
from verifier.verifications.visitor import visitor_view
from verifier.web import messages
from verifier.web.forms import read_callback, read_submission
from verifier.web.present import last_digits, page_for
from verifier.web.ratelimit import rate_limited
from verifier.web.security import check_csrf

HERE = Path(__file__).resolve().parent
STATUS_COOKIE = "verifier_status"
STATUS_COOKIE_SECONDS = 2 * 3600
ASSET_SECONDS = 300
POLL_SECONDS = 3

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/verify/static",
)


def _language() -> str:
    requested = request.args.get("lang") or request.form.get("lang")
    return messages.choose(requested, request.accept_languages)


def _embed() -> bool:
    return (request.args.get("embed") or request.form.get("embed")) == "1"


def _page_args(language: str) -> dict[str, Any]:
    """What each link and form carries along: the language and embed mode, nothing else."""
    args: dict[str, Any] = {"lang": language}
    if _embed():
        args["embed"] = "1"
    return args


def _runtime() -> Runtime:
    return runtime_of(current_app)


def _render(template: str, status: int = 200, **context: Any) -> Response:
    language = context.pop("language", None) or _language()
    facility = _runtime().facility
    other = "es" if language == "en" else "en"
    switch_args = {**(request.view_args or {}), **_page_args(language), "lang": other}
    body = render_template(
        template,
        lang=language,
        t=lambda key, **fields: messages.say(language, key, **fields),
        strings={
            **messages.strings(language),
            "schema_required": messages.SCHEMA_REQUIRED,
            "schema_messages": messages.SCHEMA_MESSAGES.get(language, {}),
            "facility_phone": facility.phone,
        },
        other_lang=other,
        lang_switch_url=url_for(request.endpoint or "web.form", **switch_args),
        embed=_embed(),
        page_args=_page_args(language),
        facility_name=facility.name,
        facility_phone=facility.phone,
        facility_tel="".join(ch for ch in facility.phone if ch.isdigit() or ch == "+"),
        **context,
    )
    return make_response(body, status)


def _part2_programs() -> frozenset[str]:
    """The facility's 42 CFR Part 2 programs as "level/condition" (the form's and script's)."""
    facility = _runtime().facility
    return frozenset(f"{level.value}/{c.value}" for level, c in facility.part2_programs)


def _consent_lines(language: str, level: str | None) -> list[tuple[str, str, str, str]]:
    """The Part 2 consent as the form shows it: (key, paragraph, sentence, template).

    The script fills the template's {patient} and {payer} in as the visitor types; the
    sealed record names them in any case (``part2.consent.sealed_values``).
    """
    runtime, today = _runtime(), dt.date.today()
    facility = runtime.facility
    program = LevelOfCare(level) if level in {lv.value for lv in LevelOfCare} else LevelOfCare.IOP
    # Before a payer is chosen the form names every clearinghouse the directory uses.
    through = part2_consent.clearinghouses_in(facility, runtime.directory.entries.values())
    shown = part2_consent.lines(facility, program, language, today=today, clearinghouses=through)
    templates = part2_consent.lines(
        facility,
        program,
        language,
        today=today,
        patient="{patient}",
        payer="{payer}",
        program="{program}",
        clearinghouses=through,
    )
    return [
        (key, paragraph, sentence, template if "{" in template else "")
        for (key, paragraph, sentence), (_, _, template) in zip(shown, templates, strict=True)
    ]


def _form_page(status: int = 200, **context: Any) -> Response:
    payers = [entry.public() for entry in _runtime().directory.search("")]
    context.setdefault("values", {})
    context.setdefault("errors", {})
    language = context.get("language") or _language()
    programs = sorted(_part2_programs())
    return _render(
        "verify.html",
        status,
        payers=payers,
        part2_programs=programs,
        consent_version=part2_consent.VERSION,
        consent_lines=(
            _consent_lines(language, context["values"].get("level_of_care")) if programs else []
        ),
        program_names=part2_consent.PROGRAM_NAMES.get(language, {}),
        **context,
    )


@bp.get("/")
def landing() -> Response:
    """What this service is, and where to go: Verify Online, and (if used) staff and docs."""
    facility = _runtime().facility
    return _render(
        "landing.html", show_console=facility.show_console, show_docs=facility.show_api_docs
    )


@bp.get("/verify")
def form() -> Response:
    return _form_page()


@bp.post("/verify")
@rate_limited("submit")
def submit() -> Response:
    check_csrf()
    language = _language()
    result = read_submission(request.form, language, _part2_programs())
    if result.data is None:
        return _form_page(422, values=result.values, errors=result.errors)
    try:
        submitted = intake.submit(_runtime(), submission_from(result.data))
    except UnknownPayer:
        errors = {"payer_id": [messages.say(language, "payer_choose")]}
        return _form_page(422, values=result.values, errors=errors)
    except part2_consent.ConsentRequired as exc:  # 42 CFR Part 2: no check without it
        return _form_page(422, values=result.values, errors={exc.field: [exc.say(language)]})
    path = url_for("web.result", verification_id=submitted.id)
    target = url_for("web.result", verification_id=submitted.id, **_page_args(language))
    response = make_response(redirect(target, 303))
    response.set_cookie(
        STATUS_COOKIE,
        submitted.token,
        max_age=STATUS_COOKIE_SECONDS,
        path=path,
        secure=_runtime().settings.is_production,
        httponly=True,
        samesite="Strict",
    )
    return response


@bp.get("/verify/result/<string:verification_id>")
@rate_limited("status")
def result(verification_id: str) -> Response:
    """The no-JS result: the token comes from the cookie scoped to this path."""
    language = _language()
    runtime = _runtime()
    token = request.cookies.get(STATUS_COOKIE)
    view = visitor_view(runtime, verification_id, token)
    if view is None:
        return _render("expired.html", 404)
    contact = visitor.contact_of(runtime, verification_id, token)
    page = page_for(view, language, runtime.facility.phone, contact)
    return _render("result.html", page=page, refresh=None if page["final"] else POLL_SECONDS)


def _visitor_token() -> str | None:
    """The script sends the token in a header; the no-JS page has the path's cookie."""
    return request.headers.get("X-Status-Token") or request.cookies.get(STATUS_COOKIE)


@bp.post("/verify/result/<string:verification_id>/again")
@rate_limited("status")
def again(verification_id: str) -> Response:
    """"Check the details and try again": the form with what they typed, minus the member id."""
    values = visitor.entries(_runtime(), verification_id, _visitor_token())
    if request.is_json:
        if values is None:
            raise NotFound()
        return jsonify(values=values)
    if values is None:
        return _render("expired.html", 404)
    check_csrf()  # after the token: a stranger learns nothing from a 400
    return _form_page(values=values, errors={}, focus_member_id=True)


@bp.post("/verify/result/<string:verification_id>/callback")
@rate_limited("submit")
def result_callback(verification_id: str) -> Response:
    """A call back asked for on a result page: tied to that check, with the contact given."""
    runtime, language, as_json = _runtime(), _language(), request.is_json
    token = _visitor_token()
    view = visitor_view(runtime, verification_id, token)
    if view is None:
        if as_json:
            raise NotFound()
        return _render("expired.html", 404)
    if not as_json:
        check_csrf()
    body = request.get_json(silent=True) if as_json else request.form
    fields = {k: v for k, v in dict(body or {}).items() if k in ("phone", "email", "best_time")}
    known = visitor.contact_of(runtime, verification_id, token)
    if not fields.get("phone") and not fields.get("email") and known is not None:
        fields["phone"] = known.phone or ""
        fields["email"] = known.email or ""
    result = read_callback(fields, language)
    if result.data is None:
        if as_json:
            return make_response(jsonify(errors=result.errors), 422)
        page = page_for(view, language, runtime.facility.phone, known)
        return _render("result.html", 422, page=page, callback_values=result.values,
                       callback_errors=result.errors)
    data = result.data
    given = ContactRecord(
        phone=data.get("phone"), email=data.get("email"), best_time=data.get("best_time")
    )
    contact = visitor.ask_callback(runtime, verification_id, given, language)
    if contact is None:  # read_callback needs a phone or email: cannot happen
        raise BadRequest()
    last4 = last_digits(contact.phone)
    when = messages.say(language, f"when.{contact.best_time or 'any'}")
    message = (
        messages.say(language, "callback_recorded", last4=last4, when=when)
        if last4
        else messages.say(language, "callback_recorded_email")
    )
    if as_json:
        return make_response(jsonify(status="received", message=message), 201)
    return _render("callback_done.html", 201, message=message)


@bp.get("/verify/status/<string:verification_id>")
@rate_limited("status")
def status(verification_id: str) -> Response:
    """The page's script polls here with the X-Status-Token header; words come ready."""
    runtime = _runtime()
    view = visitor_view(
        runtime, verification_id, request.headers.get("X-Status-Token")
    )
    if view is None:
        raise NotFound()
    token = request.headers.get("X-Status-Token")
    contact = visitor.contact_of(runtime, verification_id, token)
    return jsonify(page_for(view, _language(), runtime.facility.phone, contact))


@bp.get("/verify/callback")
def callback_form() -> Response:
    return _render("callback.html", values={}, errors={})


@bp.post("/verify/callback")
@rate_limited("submit")
def callback() -> Response:
    """A form post (CSRF-checked) or the page's script sending JSON (no cookies needed)."""
    language = _language()
    as_json = request.is_json
    if not as_json:
        check_csrf()
    body = request.get_json(silent=True) if as_json else request.form
    result = read_callback(body if isinstance(body, dict) else request.form, language)
    if result.data is None:
        if as_json:
            return make_response(jsonify(errors=result.errors), 422)
        return _render("callback.html", 422, values=result.values, errors=result.errors)
    data = result.data
    contact = ContactRecord(
        phone=data.get("phone"),
        email=data.get("email"),
        best_time=data.get("best_time"),
        callback_requested=True,
    )
    callbacks.request_callback(_runtime(), contact, name=data.get("name"), language=language)
    if as_json:
        return make_response(jsonify(status="received"), 201)
    return _render("callback_done.html", 201)


@bp.get("/widget.js")
def widget() -> Response:
    """The snippet a center pastes on its site; it finds this server from its own src."""
    script = (HERE / "static" / "widget.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={ASSET_SECONDS}"
    return response


@bp.errorhandler(BadRequest)
@bp.errorhandler(TooManyRequests)
def _visitor_error(error: HTTPException) -> Response:
    """Kind pages (or JSON for the script) for an expired form or too many tries."""
    code = error.code or 400
    headers = dict((getattr(error, "data", None) or {}).get("headers") or {})
    wait = int(headers.get("Retry-After", "60"))
    language = _language()
    if request.is_json or request.path.startswith("/verify/status/"):
        response = make_response(jsonify(code=code, status=error.name), code)
    elif code == 429:
        minutes = max(1, (wait + 59) // 60)
        message = messages.say(language, "too_many", minutes=minutes,
                               phone=_runtime().facility.phone)
        response = _render("error.html", code, message=message)
    else:
        response = _render("error.html", code, message=messages.say(language, "bad_request"))
    response.headers.update(headers)
    return response


def init_app(app: Any) -> None:
    app.register_blueprint(bp)

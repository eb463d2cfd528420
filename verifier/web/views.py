"""Verify Online: the visitor's form, progress and result pages, the call-back form, the widget.

Works without JavaScript: the form posts here, is checked by the API's own SubmitSchema, and
the status token then lives in a short-lived HttpOnly, SameSite=Strict cookie scoped to the
result's path, never in a URL. With JavaScript the page uses the JSON API instead and keeps
the token in sessionStorage (this tab only), polling ``/verify/status/<id>`` by header.
"""

from __future__ import annotations

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

from verifier.payers.directory import UnknownPayer
from verifier.runtime import Runtime, runtime_of
from verifier.store.records import ContactRecord
from verifier.verifications import callbacks, intake, visitor
from verifier.verifications.schemas import submission_from
from verifier.web import messages
from verifier.web.forms import read_callback, read_submission
from verifier.web.present import page_for
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
        strings={**messages.strings(language), "schema_required": messages.SCHEMA_REQUIRED},
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


def _form_page(status: int = 200, **context: Any) -> Response:
    payers = [entry.public() for entry in _runtime().directory.search("")]
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return _render("verify.html", status, payers=payers, **context)


@bp.get("/verify")
def form() -> Response:
    return _form_page()


@bp.post("/verify")
@rate_limited("submit")
def submit() -> Response:
    check_csrf()
    language = _language()
    result = read_submission(request.form, language)
    if result.data is None:
        return _form_page(422, values=result.values, errors=result.errors)
    try:
        submitted = intake.submit(_runtime(), submission_from(result.data))
    except UnknownPayer:
        errors = {"payer_id": [messages.say(language, "payer_choose")]}
        return _form_page(422, values=result.values, errors=errors)
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
    view = visitor.visitor_view(runtime, verification_id, request.cookies.get(STATUS_COOKIE))
    if view is None:
        return _render("expired.html", 404)
    page = page_for(view, language, runtime.facility.phone)
    return _render("result.html", page=page, refresh=None if page["final"] else POLL_SECONDS)


@bp.get("/verify/status/<string:verification_id>")
@rate_limited("status")
def status(verification_id: str) -> Response:
    """The page's script polls here with the X-Status-Token header; words come ready."""
    runtime = _runtime()
    view = visitor.visitor_view(
        runtime, verification_id, request.headers.get("X-Status-Token")
    )
    if view is None:
        raise NotFound()
    return jsonify(page_for(view, _language(), runtime.facility.phone))


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

"""The staff API (docs/design.md §5): search, detail, re-run, notes, manual entries, review, CSV.

Bearer tokens (personal, revocable) or a console session; every action is audited
with ids and outcomes only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from flask import Response, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import fields, validate
from werkzeug.exceptions import NotFound

from verifier.api.blueprint import Blueprint
from verifier.api.schemas import StrictSchema
from verifier.domain import LevelOfCare
from verifier.runtime import runtime_of
from verifier.staff import authorizations, forms, patients, phone_vob, work
from verifier.staff.auth import current_staff, record, staff_required
from verifier.verifications.lifecycle import STATES, RunConflict

blp = Blueprint(
    "staff_verifications",
    __name__,
    url_prefix="/api/v1/verifications",
    description="Staff: search, read, re-run and annotate verifications",
)


# Dates a search can name: the day after created_to must exist (9999-12-31 has none).
_DATES = validate.Range(min=dt.date(1900, 1, 1), max=dt.date(9999, 12, 30))
MAX_PAGE_NUMBER = 1_000_000  # past every real result; a bigger offset overflows SQLite


class SearchArgs(StrictSchema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    status = fields.String(load_default=None, validate=validate.OneOf(STATES))
    payer_id = fields.String(load_default=None, validate=validate.Length(max=80))
    created_from = fields.Date(load_default=None, validate=_DATES)
    created_to = fields.Date(load_default=None, validate=_DATES)
    callback_requested = fields.Boolean(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE_NUMBER))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=work.MAX_PAGE))


IN_URL = (
    "Searches by name, member id or date of birth are sent in the body "
    "(POST /api/v1/verifications/search or /export.csv): URLs are logged."
)


def _no_terms_in_url(value: str) -> None:
    if value.strip():
        raise ma.ValidationError(IN_URL)


class FilterArgs(SearchArgs):
    """The GET form: the PHI-free filters only; search terms go in a POST body."""

    q = fields.String(load_default="", validate=[validate.Length(max=200), _no_terms_in_url])


class SearchResultSchema(ma.Schema):
    items = fields.List(fields.Dict())
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class StaffVerificationSchema(ma.Schema):
    """The staff view of one verification (documentation: the route returns it as built)."""

    class Meta:
        unknown = ma.INCLUDE

    id = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)
    reason_detail = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    completed_at = fields.String(allow_none=True)
    next_attempt_at = fields.String(allow_none=True)
    level_of_care = fields.String()
    condition = fields.String()
    payer_id = fields.String()
    member = fields.Dict(allow_none=True, metadata={"description": "PHI; null once purged"})
    summary = fields.Dict(allow_none=True)
    attempts = fields.List(fields.Dict())
    notes = fields.List(fields.Dict())


class RerunSchema(StrictSchema):
    level_of_care = fields.Enum(LevelOfCare, by_value=True, load_default=None)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("A note needs some text, not only spaces.")


class NoteSchema(StrictSchema):
    text = fields.String(required=True, validate=[validate.Length(min=1, max=4000), _not_blank])


def _query(args: dict[str, Any]) -> work.SearchQuery:
    return work.SearchQuery(**args)


def _search(args: dict[str, Any]) -> dict[str, Any]:
    query = _query(args)
    items, total = work.search(runtime_of(current_app), query)
    record(
        "search",
        object_type="verification",
        object_id=f"results:{total}",
        records=[item["id"] for item in items],
    )
    return {"items": items, "total": total, "page": query.page, "per_page": query.per_page}


@blp.route("")
class StaffVerifications(MethodView):
    @staff_required()
    @blp.arguments(FilterArgs, location="query")
    @blp.response(200, SearchResultSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List by status, payer and dates (search terms: POST /search)."""
        return _search(args)


@blp.route("/search")
class StaffSearch(MethodView):
    @staff_required()
    @blp.arguments(SearchArgs)
    @blp.response(200, SearchResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search by name, member id or date of birth (exact), status, payer and dates.

        The terms travel in the body, never in the URL (access logs, proxies, history).
        """
        return _search(args)


def _export(args: dict[str, Any]) -> Response:
    export = work.export_csv(runtime_of(current_app), _query(args))
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


@blp.route("/export.csv")
class StaffExport(MethodView):
    @staff_required()
    @blp.arguments(FilterArgs, location="query")
    @blp.response(200, description="CSV of the listing", content_type="text/csv")
    def get(self, args: dict[str, Any]) -> Response:
        """The listing as CSV (up to 10,000 rows; search terms: POST)."""
        return _export(args)

    @staff_required()
    @blp.arguments(SearchArgs)
    @blp.response(200, description="CSV of the search", content_type="text/csv")
    def post(self, args: dict[str, Any]) -> Response:
        """The search as CSV (up to 10,000 rows), its terms in the body."""
        return _export(args)


def staff_detail(verification_id: str) -> Response:
    """The full view of one verification (called by the shared GET route for staff)."""

    @staff_required()
    def view() -> Response:
        try:
            data = work.detail(runtime_of(current_app), verification_id)
        except work.NotFoundError:
            record("view", "not_found", "verification", verification_id)
            raise NotFound("No such verification.") from None
        record("view", object_type="verification", object_id=verification_id)
        return jsonify(data)

    result: Response = view()
    return result


def wants_staff_view() -> bool:
    """A request carrying staff credentials gets the staff view (or a 401/403)."""
    from flask import request

    from verifier.staff.sessions import COOKIE

    return request.headers.get("Authorization", "").startswith("Bearer ") or (
        COOKIE in request.cookies and "X-Status-Token" not in request.headers
    )


@blp.route("/<string:verification_id>/rerun")
class StaffRerun(MethodView):
    @staff_required()
    @blp.arguments(RerunSchema)
    @blp.response(202)
    @blp.alt_response(
        409,
        description="The verification changed meanwhile, or a check for "
        "another level of care is on its way: nothing was re-run",
    )
    def post(self, args: dict[str, Any], verification_id: str) -> dict[str, Any]:
        """Check again (a new attempt; the history stays), optionally for another level."""
        try:
            run = work.rerun(runtime_of(current_app), verification_id, args["level_of_care"])
        except RunConflict as exc:
            record("rerun", "conflict", "verification", verification_id)
            abort(409, message=f"Not re-run: {exc}.")
        record("rerun", object_type="verification", object_id=verification_id)
        return {"id": verification_id, "status": "queued", "run": run}


@blp.route("/<string:verification_id>/notes")
class StaffNotes(MethodView):
    @staff_required()
    @blp.arguments(NoteSchema)
    @blp.response(201)
    def post(self, args: dict[str, Any], verification_id: str) -> dict[str, Any]:
        """Add a note (for example a call with the payer)."""
        staff = current_staff()
        assert staff is not None  # noqa: S101 - staff_required guarantees it
        note_id = work.add_note(runtime_of(current_app), staff, verification_id, args["text"])
        record("note", object_type="verification", object_id=verification_id)
        return {"id": note_id}


@blp.route("/<string:verification_id>/manual")
class StaffManual(MethodView):
    @staff_required()
    @blp.arguments(forms.PhoneVobSchema)
    @blp.response(201, description="{attempt, differences}")
    @blp.alt_response(404, description="No such verification")
    def post(self, args: dict[str, Any], verification_id: str) -> dict[str, Any]:
        """Record a phone VOB: the rep, call reference, time, line and the grid's fields.

        Money as "$250", "250.00", "1,500" or a number; shares as "20%" or 0.2. Stored
        sealed, and compared with the latest electronic answer (``differences``).
        """
        staff = current_staff()
        assert staff is not None  # noqa: S101 - staff_required guarantees it
        typed = {k: v for k, v in (request.get_json(silent=True) or {}).items()}
        entry = forms.phone_vob_entry(args, typed)
        runtime = runtime_of(current_app)
        number = phone_vob.record(runtime, staff, verification_id, entry)
        record("manual_entry", object_type="verification", object_id=verification_id)
        newest = phone_vob.phone_vobs(runtime, verification_id)[0]
        return {"attempt": number, "differences": newest["differences"]}


@blp.route("/<string:verification_id>/phone-vobs")
class StaffPhoneVobs(MethodView):
    @staff_required()
    @blp.response(200, description="[{rep_name, reference_number, called_at, ...}]")
    def get(self, verification_id: str) -> Response:
        """The phone VOBs on file (opened: an audited read), newest first."""
        runtime = runtime_of(current_app)
        work.detail(runtime, verification_id, raw=False)  # 404 for an unknown id
        found = phone_vob.phone_vobs(runtime, verification_id)
        record("view", object_type="phone_vob", object_id=f"{verification_id}:{len(found)}")
        return jsonify(found)


class AuthorizationOut(ma.Schema):
    id = fields.Integer()
    verification_id = fields.String()
    level_of_care = fields.String()
    number = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    notes = fields.String()
    status = fields.String()
    unit = fields.String()
    approved_units = fields.Integer(allow_none=True)
    used_units = fields.Integer()
    remaining_units = fields.Integer(allow_none=True)
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)
    alerts = fields.List(fields.String(), metadata={"description": "80% used, 7 days to end"})
    created_at = fields.String()
    created_by = fields.String()
    updated_at = fields.String()
    updated_by = fields.String()


@blp.route("/<string:verification_id>/authorizations")
class StaffAuthorizations(MethodView):
    @staff_required()
    @blp.response(200, AuthorizationOut(many=True))
    @blp.alt_response(404, description="No such verification")
    def get(self, verification_id: str) -> list[dict[str, Any]]:
        """The authorizations on file for this verification, with their alerts."""
        found = authorizations.for_verification(runtime_of(current_app), verification_id)
        record("view", object_type="authorization", object_id=f"{verification_id}:{len(found)}")
        return found

    @staff_required()
    @blp.arguments(forms.AuthorizationSchema)
    @blp.response(201, AuthorizationOut)
    @blp.alt_response(404, description="No such verification")
    def post(self, args: dict[str, Any], verification_id: str) -> dict[str, Any]:
        """Add an authorization (number, UM contact, units, dates, status, notes)."""
        staff = current_staff()
        assert staff is not None  # noqa: S101 - staff_required guarantees it
        runtime = runtime_of(current_app)
        new_id = authorizations.add(runtime, staff, verification_id, args)
        record("authorization_add", object_type="authorization", object_id=str(new_id))
        return next(
            a
            for a in authorizations.for_verification(runtime, verification_id)
            if a["id"] == new_id
        )


@blp.route("/<string:verification_id>/authorizations/<int:authorization_id>")
class StaffAuthorization(MethodView):
    @staff_required()
    @blp.arguments(forms.AuthorizationUpdateSchema)
    @blp.response(200, AuthorizationOut)
    @blp.alt_response(404, description="No such authorization on this verification")
    def patch(
        self, args: dict[str, Any], verification_id: str, authorization_id: int
    ) -> dict[str, Any]:
        """Units used (``used_units``, or ``add_units`` from an EHR), status, approval, end."""
        staff = current_staff()
        assert staff is not None  # noqa: S101 - staff_required guarantees it
        try:
            view = authorizations.update_units(
                runtime_of(current_app), staff, verification_id, authorization_id, args
            )
        except work.NotFoundError:
            record("authorization_update", "not_found", "authorization", str(authorization_id))
            raise NotFound("No such authorization on this verification.") from None
        record("authorization_update", object_type="authorization", object_id=str(authorization_id))
        return view


@blp.route("/<string:verification_id>/review")
class StaffReview(MethodView):
    @staff_required()
    @blp.response(200)
    def post(self, verification_id: str) -> dict[str, Any]:
        """Mark reviewed by the signed-in coordinator."""
        staff = current_staff()
        assert staff is not None  # noqa: S101 - staff_required guarantees it
        work.mark_reviewed(runtime_of(current_app), staff, verification_id)
        record("review", object_type="verification", object_id=verification_id)
        return {"id": verification_id, "reviewed": True}


@blp.route("/<string:verification_id>/patient")
class StaffPatient(MethodView):
    @staff_required()
    @blp.response(200, description="{id, became_patient, became_patient_at, became_patient_by}")
    @blp.alt_response(404, description="No such verification")
    @blp.alt_response(409, description="Personal details already erased by the retention purge")
    def post(self, verification_id: str) -> dict[str, Any]:
        """The member became a patient: kept past the visitors' retention (first mark stays)."""
        staff = current_staff()
        assert staff is not None  # noqa: S101 - staff_required guarantees it
        try:
            marker, changed = patients.mark(runtime_of(current_app), staff, verification_id)
        except patients.Erased:
            record("patient_marked", "erased", "verification", verification_id)
            abort(409, message="This verification's personal details were already erased.")
        outcome = "ok" if changed else "unchanged"
        record("patient_marked", outcome, "verification", verification_id)
        return {"id": verification_id} | marker.as_dict()

    @staff_required()
    @blp.response(200, description="{id, became_patient: false, ...}")
    @blp.alt_response(404, description="No such verification")
    def delete(self, verification_id: str) -> dict[str, Any]:
        """Undo a mark made by mistake (the visitors' retention applies again)."""
        marker, changed = patients.unmark(runtime_of(current_app), verification_id)
        outcome = "ok" if changed else "unchanged"
        record("patient_unmarked", outcome, "verification", verification_id)
        return {"id": verification_id} | marker.as_dict()

"""Batches (docs/design.md §5, staff): many members at once, progress, and a CSV of results.

HTTP only; the work is in verifier.verifications.batches. The body may be JSON ``{"items": [submit
bodies]}``, JSON ``{"csv": "<text>"}``, or ``text/csv``; up to VERIFIER_BATCH_MAX_BYTES
(5 MB) for this route alone (the app's limit for everything else stays 16 KiB), set on
the request before its body is read.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import fields, validate
from werkzeug.exceptions import BadRequest, NotFound

from verifier.api.blueprint import Blueprint
from verifier.api.schemas import StrictSchema
from verifier.runtime import runtime_of
from verifier.staff.auth import current_staff, record, staff_required
from verifier.verifications import batches

blp = Blueprint(
    "batches",
    __name__,
    url_prefix="/api/v1/batches",
    description="Staff: verify many members at once",
)


class PageArgs(StrictSchema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "From 1"},
    )
    per_page = fields.Integer(
        load_default=batches.DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=batches.MAX_PER_PAGE),
        metadata={"description": f"Rows per page, at most {batches.MAX_PER_PAGE}"},
    )


def _items() -> tuple[list[tuple[int, Any]], str]:
    """The rows of the upload and its kind (csv | json); 400/422 when unreadable."""
    request.max_content_length = runtime_of(current_app).settings.batch_max_bytes
    if request.mimetype == "text/csv":
        return batches.items_from_csv(request.get_data(as_text=True)), "csv"
    body = request.get_json(silent=False)
    if isinstance(body, dict) and isinstance(body.get("csv"), str) and len(body) == 1:
        return batches.items_from_csv(body["csv"]), "csv"
    if isinstance(body, dict) and isinstance(body.get("items"), list) and len(body) == 1:
        return batches.items_from_json(body["items"]), "json"
    raise BadRequest('Send {"items": [...]}, {"csv": "..."} or a text/csv body.')


@blp.route("")
class Batches(MethodView):
    @staff_required()
    @blp.response(202, description="{id, status_url, total, accepted, rejected}")
    @blp.alt_response(413, description="Larger than VERIFIER_BATCH_MAX_BYTES")
    @blp.alt_response(422, description="Unreadable upload, or more rows than allowed")
    def post(self) -> Any:
        """Create a batch: each row becomes a verification; bad rows are reported by line."""
        try:
            items, kind = _items()
            staff = current_staff()
            created = batches.create(
                runtime_of(current_app),
                items,
                created_by=staff.email if staff else "unknown",
                source=kind,
            )
        except batches.BatchInvalid as exc:
            abort(422, errors={"_schema": [str(exc)]})
        record("batch", object_type="batch", object_id=created.id)
        return {
            "id": created.id,
            "status_url": f"/api/v1/batches/{created.id}",
            "total": created.total,
            "accepted": created.accepted,
            "rejected": created.rejected,
        }


@blp.route("/<string:batch_id>")
class BatchProgress(MethodView):
    @staff_required()
    @blp.arguments(PageArgs, location="query")
    @blp.response(
        200,
        description=(
            "Counts by state over the whole batch; status (running | completed: every row "
            "final); one page of rows in line order (page, per_page, pages; next_page and "
            "next_url are null on the last page)"
        ),
    )
    @blp.alt_response(404, description="No batch with this id")
    @blp.alt_response(422, description="page or per_page out of range: {errors: {field: [...]}}")
    def get(self, args: dict[str, Any], batch_id: str) -> Any:
        """Progress and one page of per-row outcomes (line, verification, state, errors)."""
        view = batches.progress(runtime_of(current_app), batch_id, **args)
        if view is None:
            raise NotFound("No batch with this id.")
        record("view", object_type="batch", object_id=batch_id)
        view["next_url"] = (
            url_for(
                "batches.BatchProgress",
                batch_id=batch_id,
                page=view["next_page"],
                per_page=view["per_page"],
            )
            if view["next_page"]
            else None
        )
        return view


@blp.route("/<string:batch_id>/results.csv")
class BatchResults(MethodView):
    @staff_required()
    @blp.response(200, description="CSV: one line per input row, all rows (streamed)")
    @blp.alt_response(404, description="No batch with this id")
    def get(self, batch_id: str) -> Response:
        """The outcome of every row as CSV (no member identifiers; the line maps back)."""
        lines = batches.results_csv(runtime_of(current_app), batch_id)
        if lines is None:
            raise NotFound("No batch with this id.")
        record("export", object_type="batch", object_id=batch_id)
        return Response(
            lines,
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=batch-{batch_id}.csv"},
        )

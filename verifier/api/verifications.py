"""Submit a verification and read its status (docs/design.md §5).

HTTP only: the work is in ``verifier.verifications``."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.exceptions import NotFound

from verifier.api.blueprint import Blueprint
from verifier.api.schemas import (
    StatusTokenHeaderSchema,
    SubmittedSchema,
    VisitorVerificationSchema,
)
from verifier.api.staff import staff_detail, wants_staff_view
from verifier.part2.consent import ConsentRequired
from verifier.payers.directory import UnknownPayer
from verifier.runtime import runtime_of
from verifier.verifications import intake, visitor
from verifier.verifications.schemas import SubmitSchema, submission_from
from verifier.web.ratelimit import rate_limited

blp = Blueprint(
    "verifications",
    __name__,
    url_prefix="/api/v1/verifications",
    description="Insurance benefit verifications",
)


@blp.route("")
class Verifications(MethodView):
    @rate_limited("submit")
    @blp.arguments(SubmitSchema)
    @blp.response(202, SubmittedSchema)
    @blp.alt_response(422, description="Field errors: {errors: {field: [message]}}")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Submit a verification; answers at once with an id and a status token."""
        runtime = runtime_of(current_app)
        try:
            submitted = intake.submit(runtime, submission_from(data))
        except UnknownPayer:
            abort(422, errors={"json": {"payer_id": ["Unknown insurance company."]}})
        except ConsentRequired as exc:  # a 42 CFR Part 2 program: no 270 without it
            abort(422, errors={"json": {exc.field: [exc.message]}})
        return {
            "id": submitted.id,
            "status": submitted.status,
            "status_url": url_for("verifications.Verification", verification_id=submitted.id),
            "token": submitted.token,
        }


@blp.route("/<string:verification_id>")
class Verification(MethodView):
    @rate_limited("status", unless=wants_staff_view)
    @blp.arguments(StatusTokenHeaderSchema, location="headers")
    @blp.response(200, VisitorVerificationSchema)
    @blp.alt_response(404, description="Unknown id, or a wrong or expired token")
    @blp.doc(
        security=[{}, {"statusToken": []}, {"bearerAuth": []}, {"consoleSession": []}],
        responses={
            "200": {
                "description": "Visitor (X-Status-Token): the visitor view; staff (Bearer "
                "token or console session): the full view",
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [
                                {"$ref": "#/components/schemas/VisitorVerification"},
                                {"$ref": "#/components/schemas/StaffVerification"},
                            ]
                        }
                    }
                },
            }
        },
    )
    def get(self, headers: dict[str, Any], verification_id: str) -> Any:
        """Visitor (X-Status-Token): status and the visitor's summary. Staff: everything."""
        if wants_staff_view():
            return staff_detail(verification_id)
        view = visitor.visitor_view(runtime_of(current_app), verification_id, headers["token"])
        if view is None:
            raise NotFound("No verification matches this id and token.")
        return view

"""Submit a verification and read its status (DESIGN §5). HTTP only: the work is in service."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.exceptions import NotFound

from verifier import service
from verifier.api.blueprint import Blueprint
from verifier.api.schemas import (
    StatusTokenHeaderSchema,
    SubmitSchema,
    SubmittedSchema,
    VisitorVerificationSchema,
    today,
)
from verifier.api.staff import staff_detail, wants_staff_view
from verifier.domain import Person
from verifier.part2.consent import ConsentRequired, part2_consent_from
from verifier.runtime import runtime_of
from verifier.store.records import ContactRecord, MemberRecord
from verifier.web.ratelimit import rate_limited

blp = Blueprint(
    "verifications",
    __name__,
    url_prefix="/api/v1/verifications",
    description="Insurance benefit verifications",
)


def submission_from(data: dict[str, Any]) -> service.Submission:
    member = data["member"]
    subscriber = member.get("subscriber")
    contact = data.get("contact")
    return service.Submission(
        member=MemberRecord(
            first_name=member["first_name"],
            last_name=member["last_name"],
            date_of_birth=member["date_of_birth"],
            member_id=member["member_id"],
            group_number=member.get("group_number"),
            relationship=member["relationship"],
            subscriber=(
                Person(
                    first_name=subscriber["first_name"],
                    last_name=subscriber["last_name"],
                    date_of_birth=subscriber["date_of_birth"],
                    member_id=subscriber.get("member_id") or member["member_id"],
                )
                if subscriber
                else None
            ),
            as_typed=member.get("as_typed") or None,
        ),
        payer_id=data["payer_id"],
        level_of_care=data["level_of_care"],
        condition=data["condition"],
        service_date=data.get("service_date") or today(),
        contact=ContactRecord(**contact) if contact else None,
        part2_consent=part2_consent_from(data.get("part2_consent")),
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
            submitted = service.submit(runtime, submission_from(data))
        except service.UnknownPayer:
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
    @blp.alt_response(200, description="Staff (Bearer token or console session): the full view")
    def get(self, headers: dict[str, Any], verification_id: str) -> Any:
        """Visitor (X-Status-Token): status and the visitor's summary. Staff: everything."""
        if wants_staff_view():
            return staff_detail(verification_id)
        view = service.visitor_view(runtime_of(current_app), verification_id, headers["token"])
        if view is None:
            raise NotFound("No verification matches this id and token.")
        return view

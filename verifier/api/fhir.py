"""FHIR out: a verification as an R4 CoverageEligibilityResponse, for the center's EHR."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask.views import MethodView
from werkzeug.exceptions import NotFound

from verifier.api.blueprint import Blueprint
from verifier.exports.verification import fhir_export
from verifier.runtime import runtime_of
from verifier.staff.auth import record, staff_required
from verifier.staff.errors import NotFoundError

FHIR_JSON = "application/fhir+json"

blp = Blueprint(
    "staff_fhir",
    __name__,
    url_prefix="/api/v1/verifications",
    description="Staff: a verification as FHIR R4 (CoverageEligibilityResponse)",
)


@blp.route("/<string:verification_id>/fhir")
class VerificationFhir(MethodView):
    @staff_required()
    @blp.response(
        200,
        description=(
            "application/fhir+json: CoverageEligibilityResponse with contained Patient, "
            "Coverage and Organizations; benefits per service type and network (PHI)"
        ),
    )
    @blp.alt_response(404, description="No such verification")
    def get(self, verification_id: str) -> Response:
        """The verification in FHIR R4, valid against fhir.resources; audited as a PHI read."""
        try:
            resource = fhir_export(runtime_of(current_app), verification_id)
        except NotFoundError:
            record("view", "not_found", "verification_fhir", verification_id)
            raise NotFound("No such verification.") from None
        record("view", object_type="verification_fhir", object_id=verification_id)
        return Response(json.dumps(resource), mimetype=FHIR_JSON)

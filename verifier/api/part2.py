"""The 42 CFR Part 2 consent a client must show before submitting for a Part 2 program."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from marshmallow import fields, validate

from verifier.api.blueprint import Blueprint
from verifier.domain import Condition, LevelOfCare
from verifier.part2 import consent
from verifier.runtime import runtime_of

blp = Blueprint(
    "part2", __name__, url_prefix="/api/v1/part2", description="42 CFR Part 2 consent"
)


class ConsentQuerySchema(ma.Schema):
    lang = fields.String(load_default="en", validate=validate.OneOf(["en", "es"]))
    level_of_care = fields.Enum(LevelOfCare, by_value=True, load_default=LevelOfCare.IOP)
    condition = fields.Enum(Condition, by_value=True, load_default=Condition.SUBSTANCE_USE)
    payer_id = fields.String(load_default=None, validate=validate.Length(max=80))


class ConsentElementSchema(ma.Schema):
    element = fields.String()
    paragraph = fields.String(metadata={"description": "Where 42 CFR §2.31(a) asks for it"})
    text = fields.String()


class ConsentSchema(ma.Schema):
    required = fields.Boolean(metadata={"description": "Whether this program is a Part 2 one"})
    version = fields.String(metadata={"description": "Send back as part2_consent.version"})
    elements = fields.List(fields.Nested(ConsentElementSchema))


@blp.route("/consent")
class Consent(MethodView):
    @blp.arguments(ConsentQuerySchema, location="query")
    @blp.response(200, ConsentSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The consent text to show, with its version; required only for Part 2 programs."""
        runtime = runtime_of(current_app)
        entry = runtime.directory.get(query["payer_id"]) if query["payer_id"] else None
        level = query["level_of_care"]
        facility = runtime.facility
        if entry is not None:
            through = consent.clearinghouse_of(facility, entry)
            clearinghouses = [through] if through else []
        else:
            clearinghouses = consent.clearinghouses_in(facility, runtime.directory.entries.values())
        lines = consent.lines(
            facility,
            level,
            query["lang"],
            today=dt.date.today(),
            payer=entry.name if entry else None,
            clearinghouses=clearinghouses,
        )
        return {
            "required": runtime.facility.is_part2(level, query["condition"]),
            "version": consent.VERSION,
            "elements": [
                {"element": key, "paragraph": paragraph, "text": text}
                for key, paragraph, text in lines
            ],
        }

"""The payer picker's data: names, aliases and ids, never endpoints or credentials."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from verifier.api.blueprint import Blueprint
from verifier.api.schemas import PayerQuerySchema, PayerSchema
from verifier.runtime import runtime_of

PICKER_LIMIT = 50  # the best matches a visitor can scan; thousands are imported (issue 15)

blp = Blueprint("payers", __name__, url_prefix="/api/v1/payers", description="Payer directory")


@blp.route("")
class Payers(MethodView):
    @blp.arguments(PayerQuerySchema, location="query")
    @blp.response(200, PayerSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Payers matching a name, alias or id (``?q=``), the best 50 first."""
        directory = runtime_of(current_app).directory
        return [entry.public() for entry in directory.search(query["q"], limit=PICKER_LIMIT)]

"""The JSON API (docs/design.md §5): flask-smorest blueprints, schemas and error shape."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from verifier.verifications.schemas import flatten_errors


class VerifierApi(Api):
    """flask-smorest with our error shape and the Allow header on 405."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        payload, code, headers = super().handle_http_exception(error)
        errors = payload.get("errors")
        if isinstance(errors, dict):
            # webargs nests body errors under their location ("json"); the fields are the point.
            located = {k: v for k, v in errors.items() if k in ("json", "query", "headers")}
            merged: dict[str, list[str]] = {}
            for value in located.values() or [errors]:
                for field, messages in flatten_errors(value).items():
                    merged.setdefault(field, []).extend(messages)
            payload["errors"] = merged
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers = dict(headers or {})
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        if code is None or code >= 500:
            payload.pop("message", None)  # never echo internals
        return payload, code, headers


def init_app(app: Flask) -> None:
    """One Api per app: flask-smorest keeps per-app state on the instance."""
    from verifier.api import batches, fhir, ops, part2, payers, staff, verifications, webhooks

    api = VerifierApi(app)
    app.extensions["verifier_api"] = api
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A staff API token"}
    )
    api.spec.components.security_scheme(
        "consoleSession", {"type": "apiKey", "in": "cookie", "name": "verifier_staff"}
    )
    api.spec.components.security_scheme(
        "statusToken", {"type": "apiKey", "in": "header", "name": "X-Status-Token"}
    )
    api.spec.components.schema("StaffVerification", schema=staff.StaffVerificationSchema)
    api.register_blueprint(verifications.blp)
    api.register_blueprint(payers.blp)
    api.register_blueprint(staff.blp)
    api.register_blueprint(batches.blp)
    api.register_blueprint(part2.blp)  # 42 CFR Part 2 consent text
    api.register_blueprint(webhooks.blp)
    api.register_blueprint(fhir.blp)
    app.register_blueprint(ops.bp)

"""Admins' webhook API: endpoints, secrets (shown once), the delivery log and replay.

Every change is audited (ids only). A secret appears in exactly two answers: the one
that creates the endpoint and the one that rotates its secret.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import fields, validate
from werkzeug.exceptions import NotFound

from verifier.api.blueprint import Blueprint
from verifier.api.schemas import StrictSchema
from verifier.runtime import runtime_of
from verifier.staff.auth import current_staff, record, staff_required
from verifier.webhooks import endpoints
from verifier.webhooks import log as delivery_log
from verifier.webhooks.events import EVENT_TYPES

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Admins: webhook endpoints in the center's CRM/EHR (Standard Webhooks)",
)


class EndpointInSchema(StrictSchema):
    url = fields.String(required=True, validate=validate.Length(min=8, max=2000))
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
    )
    description = fields.String(load_default=None, validate=validate.Length(max=200))
    include_summary = fields.Boolean(
        load_default=False,
        metadata={"description": "Send the benefits summary (PHI); https URLs only"},
    )


class EndpointSchema(ma.Schema):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String(allow_none=True)
    include_summary = fields.Boolean()
    sends_summary = fields.Boolean()
    created_at = fields.String()
    created_by = fields.String()
    enabled = fields.Boolean()
    disabled_at = fields.String(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    failing_since = fields.String(allow_none=True)
    previous_secret_until = fields.String(allow_none=True)


class CreatedSchema(EndpointSchema):
    secret = fields.String(metadata={"description": "whsec_...: shown only in this answer"})


class RotateSchema(StrictSchema):
    overlap_hours = fields.Integer(load_default=24, validate=validate.Range(min=0, max=168))


class ReplaySinceSchema(StrictSchema):
    since = fields.AwareDateTime(required=True, default_timezone=dt.UTC)


class ListSchema(ma.Schema):
    items = fields.List(fields.Nested(EndpointSchema))
    event_types = fields.List(fields.String())


def _actor() -> str:
    staff = current_staff()
    return staff.email if staff else "unknown"


@blp.route("")
class Webhooks(MethodView):
    @staff_required("admin")
    @blp.response(200, ListSchema)
    def get(self) -> dict[str, Any]:
        """Every endpoint (never a secret), and the event types one may subscribe to."""
        items = endpoints.list_endpoints(runtime_of(current_app))
        return {"items": items, "event_types": list(EVENT_TYPES)}

    @staff_required("admin")
    @blp.arguments(EndpointInSchema)
    @blp.response(201, CreatedSchema)
    @blp.alt_response(422, description="{errors: {url | events | include_summary: [...]}}")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Add an endpoint; its signing secret is in this answer and never again."""
        try:
            created = endpoints.add(runtime_of(current_app), created_by=_actor(), **args)
        except endpoints.EndpointError as exc:
            abort(422, errors=exc.errors)
        record("webhook_added", object_type="webhook", object_id=created.endpoint["id"])
        return created.endpoint | {"secret": created.secret}


@blp.route("/<string:endpoint_id>")
class Webhook(MethodView):
    @staff_required("admin")
    @blp.response(200, EndpointSchema)
    @blp.alt_response(404, description="No such endpoint")
    def get(self, endpoint_id: str) -> dict[str, Any]:
        """One endpoint: its events, health and whether it was disabled (and why)."""
        return _or_404(lambda: endpoints.get(runtime_of(current_app), endpoint_id))


@blp.route("/<string:endpoint_id>/disable")
class WebhookDisable(MethodView):
    @staff_required("admin")
    @blp.response(200, EndpointSchema)
    @blp.alt_response(404, description="No such endpoint")
    def post(self, endpoint_id: str) -> dict[str, Any]:
        """Stop sending (events are still recorded for it until then; nothing is lost)."""
        runtime = runtime_of(current_app)
        shown = _or_404(lambda: endpoints.set_enabled(runtime, endpoint_id, False))
        record("webhook_disabled", object_type="webhook", object_id=endpoint_id)
        return shown


@blp.route("/<string:endpoint_id>/enable")
class WebhookEnable(MethodView):
    @staff_required("admin")
    @blp.response(200, EndpointSchema)
    @blp.alt_response(404, description="No such endpoint")
    def post(self, endpoint_id: str) -> dict[str, Any]:
        """Send again: what is pending goes out first, in order."""
        from verifier.webhooks.events import kick

        runtime = runtime_of(current_app)
        shown = _or_404(lambda: endpoints.set_enabled(runtime, endpoint_id, True))
        record("webhook_enabled", object_type="webhook", object_id=endpoint_id)
        kick(runtime, [endpoint_id])
        return shown


@blp.route("/<string:endpoint_id>/rotate-secret")
class WebhookRotate(MethodView):
    @staff_required("admin")
    @blp.arguments(RotateSchema)
    @blp.response(200, CreatedSchema)
    @blp.alt_response(404, description="No such endpoint")
    def post(self, args: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
        """A new secret (in this answer only); the old one signs too for ``overlap_hours``."""
        runtime = runtime_of(current_app)
        overlap = dt.timedelta(hours=args["overlap_hours"])
        created = _or_404(lambda: endpoints.rotate_secret(runtime, endpoint_id, overlap))
        record("webhook_rotated", object_type="webhook", object_id=endpoint_id)
        return created.endpoint | {"secret": created.secret}


class DeliverySchema(ma.Schema):
    id = fields.Integer()
    event = fields.String()
    webhook_id = fields.String()
    status = fields.String(metadata={"description": "pending | delivered | failed"})
    attempts = fields.Integer()
    response_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "timeout, http_500, ..."})
    created_at = fields.String()
    last_attempt_at = fields.String(allow_none=True)
    next_attempt_at = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)
    replay_of = fields.Integer(allow_none=True)


class LogArgs(StrictSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


@blp.route("/<string:endpoint_id>/deliveries")
class WebhookDeliveries(MethodView):
    @staff_required("admin")
    @blp.arguments(LogArgs, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @blp.alt_response(404, description="No such endpoint")
    def get(self, args: dict[str, Any], endpoint_id: str) -> list[dict[str, Any]]:
        """The delivery log, newest first (no bodies: no PHI)."""
        runtime = runtime_of(current_app)
        return _or_404(lambda: delivery_log.deliveries(runtime, endpoint_id, args["limit"]))


@blp.route("/<string:endpoint_id>/deliveries/<int:delivery_id>/replay")
class WebhookReplayOne(MethodView):
    @staff_required("admin")
    @blp.response(202, description="{delivery_id}: the new delivery, queued")
    @blp.alt_response(404, description="No such endpoint or delivery")
    def post(self, endpoint_id: str, delivery_id: int) -> dict[str, Any]:
        """Send one delivery's event again (same webhook-id)."""
        runtime = runtime_of(current_app)
        new_id = _or_404(lambda: delivery_log.replay(runtime, endpoint_id, delivery_id))
        record("webhook_replayed", object_type="webhook", object_id=endpoint_id)
        return {"delivery_id": new_id}


@blp.route("/<string:endpoint_id>/replay")
class WebhookReplaySince(MethodView):
    @staff_required("admin")
    @blp.arguments(ReplaySinceSchema)
    @blp.response(202, description="{replayed}: how many events were queued again")
    @blp.alt_response(404, description="No such endpoint")
    def post(self, args: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
        """Send again every event this endpoint was sent since a time, in order."""
        runtime = runtime_of(current_app)
        count = _or_404(lambda: delivery_log.replay_since(runtime, endpoint_id, args["since"]))
        record("webhook_replayed", object_type="webhook", object_id=endpoint_id)
        return {"replayed": count}


def _or_404(call: Any) -> Any:
    try:
        return call()
    except (endpoints.UnknownEndpoint, delivery_log.UnknownDelivery):
        raise NotFound("No such webhook endpoint or delivery.") from None

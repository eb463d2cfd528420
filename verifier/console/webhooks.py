"""The admins' webhooks page: endpoints, a secret shown once, the delivery log, replay.

Routes live on the console blueprint (``console.webhooks``, ``console.webhook_action``);
every change is audited like its API twin. An endpoint disabled after 24 hours of
failures is shown at the top of the page, and as a banner on every console page an
admin opens (``disabled_webhooks`` in the template context).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, g, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from verifier.console.views import bp
from verifier.runtime import runtime_of
from verifier.staff.auth import current_staff, record, staff_required
from verifier.webhooks import endpoints, events
from verifier.webhooks import log as delivery_log

LOG_ROWS = 25


def _page(status: int = 200, **shown: Any) -> tuple[str, int]:
    runtime = runtime_of(current_app)
    items = endpoints.list_endpoints(runtime)
    shown_endpoint = shown.pop("shown_endpoint", None)
    chosen = request.values.get("show") or request.values.get("endpoint_id") or shown_endpoint
    log_rows: list[dict[str, Any]] = []
    if chosen:
        try:
            log_rows = delivery_log.deliveries(runtime, chosen, LOG_ROWS)
        except endpoints.UnknownEndpoint:
            raise NotFound("No such webhook endpoint.") from None
    page = render_template(
        "console/webhooks.html",
        items=items,
        disabled=[e for e in items if not e["enabled"]],
        event_types=events.EVENT_TYPES,
        chosen=chosen,
        log_rows=log_rows,
        csrf_token=g.csrf_token,
        **shown,
    )
    return page, status


@bp.get("/webhooks")
@staff_required(role="admin")
def webhooks() -> tuple[str, int]:
    return _page()


@bp.post("/webhooks")
@staff_required(role="admin")
def webhook_action() -> tuple[str, int]:
    """One form per action: add, disable, enable, rotate, replay, replay_since."""
    runtime = runtime_of(current_app)
    form = request.form
    action = form.get("action", "")
    endpoint_id = form.get("endpoint_id", "")
    try:
        if action == "add":
            staff = current_staff()
            created = endpoints.add(
                runtime,
                form.get("url", "").strip(),
                form.getlist("events"),
                created_by=staff.email if staff else "unknown",
                description=form.get("description", "").strip()[:200] or None,
                include_summary=form.get("include_summary") == "on",
            )
            record("webhook_added", object_type="webhook", object_id=created.endpoint["id"])
            return _page(new_secret=created.secret, shown_endpoint=created.endpoint["id"])
        if action in ("disable", "enable"):
            endpoints.set_enabled(runtime, endpoint_id, action == "enable")
            record(f"webhook_{action}d", object_type="webhook", object_id=endpoint_id)
            if action == "enable":
                events.kick(runtime, [endpoint_id])
            return _page(notice=f"Endpoint {action}d.", shown_endpoint=endpoint_id)
        if action == "rotate":
            rotated = endpoints.rotate_secret(runtime, endpoint_id)
            record("webhook_rotated", object_type="webhook", object_id=endpoint_id)
            return _page(new_secret=rotated.secret, shown_endpoint=endpoint_id)
        if action == "replay":
            delivery_log.replay(runtime, endpoint_id, int(form.get("delivery_id", "0")))
            record("webhook_replayed", object_type="webhook", object_id=endpoint_id)
            return _page(notice="Delivery queued again.", shown_endpoint=endpoint_id)
        if action == "replay_since":
            since = dt.datetime.fromisoformat(form.get("since", ""))
            since = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
            count = delivery_log.replay_since(runtime, endpoint_id, since)
            record("webhook_replayed", object_type="webhook", object_id=endpoint_id)
            return _page(notice=f"{count} event(s) queued again.", shown_endpoint=endpoint_id)
    except endpoints.EndpointError as exc:
        return _page(422, errors=exc.errors)
    except (endpoints.UnknownEndpoint, delivery_log.UnknownDelivery):
        raise NotFound("No such webhook endpoint or delivery.") from None
    except ValueError:
        raise BadRequest("Give the time as YYYY-MM-DDTHH:MM (UTC).") from None
    raise BadRequest("Unknown action.")


@bp.app_context_processor
def _webhook_warnings() -> dict[str, Any]:
    """Admins see disabled endpoints on every console page, not only on this one."""
    staff = g.get("staff")
    if staff is None or not staff.is_admin or not request.path.startswith("/console"):
        return {}
    return {"disabled_webhooks": endpoints.disabled_endpoints(runtime_of(current_app))}

"""The events verifier reports, and the outbox that records them.

``record`` runs inside the caller's transaction (a Core connection or an ORM session):
the event row and one pending delivery per subscribed endpoint commit or roll back with
the change they report, so an event is never lost while Redis is down, nor sent for a
change that did not happen. ``kick`` (after the commit) asks the webhooks queue to send;
when Redis is down the cron's ``dispatch`` sends them later.

Minimum PHI by default: ``data`` holds ids, the event, outcome codes (states, reasons,
coverage and network status codes) and a link to the staff API resource. The summary
(benefits: health information) is sealed in the event row and sent only to endpoints
configured for it, over https.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import insert, select

from verifier.runtime import Runtime
from verifier.store.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from verifier.store.records import seal
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks.enqueue import enqueue_endpoint

log = logging.getLogger(__name__)

VERIFICATION_COMPLETED = "verification.completed"
VERIFICATION_FAILED = "verification.failed"
VERIFICATION_NEEDS_REVIEW = "verification.needs_review"
VERIFICATION_CHANGED = "verification.changed"
CALLBACK_REQUESTED = "callback.requested"
BATCH_COMPLETED = "batch.completed"
AUTHORIZATION_EXPIRING = "authorization.expiring"  # staff.authorizations.report_expiring
EVENT_TYPES = (
    VERIFICATION_COMPLETED,
    VERIFICATION_FAILED,
    VERIFICATION_NEEDS_REVIEW,
    VERIFICATION_CHANGED,
    CALLBACK_REQUESTED,
    BATCH_COMPLETED,
    AUTHORIZATION_EXPIRING,
)
FOR_STATUS = {
    "completed": VERIFICATION_COMPLETED,
    "failed": VERIFICATION_FAILED,
    "needs_review": VERIFICATION_NEEDS_REVIEW,
}


class Executes(Protocol):
    """A Core Connection or an ORM Session: what ``record`` writes with."""

    def execute(self, statement: Any, parameters: Any = ..., /) -> Any: ...


def event_context(msg_id: str) -> str:
    return msg_id  # the row id the sealed summary is bound to


def record(
    connection: Executes,
    runtime: Runtime,
    event_type: str,
    data: Mapping[str, Any],
    *,
    summary: Mapping[str, Any] | None = None,
) -> list[str]:
    """Write the event and its deliveries; the ids of the endpoints that will get it."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    subscribed = [
        (endpoint_id, include_summary)
        for endpoint_id, events, include_summary in connection.execute(
            select(
                WebhookEndpoint.id, WebhookEndpoint.events, WebhookEndpoint.include_summary
            ).where(WebhookEndpoint.disabled_at.is_(None))
        ).all()
        if event_type in (events or [])
    ]
    if not subscribed:
        return []
    now = utcnow()
    msg_id = f"msg_{uuid.uuid4().hex}"
    sealed = None
    if summary is not None and any(include for _, include in subscribed):
        text = json.dumps(summary, sort_keys=True)
        sealed = seal(runtime.keyring, "webhook.summary", event_context(msg_id), text)
    event_id = connection.execute(
        insert(WebhookEvent)
        .values(
            msg_id=msg_id,
            type=event_type,
            created_at=now,
            data=dict(data),
            summary_enc=sealed,
        )
        .returning(WebhookEvent.id)
    ).scalar_one()
    connection.execute(
        insert(WebhookDelivery),
        [
            {
                "endpoint_id": endpoint_id,
                "event_id": event_id,
                "status": "pending",
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
            }
            for endpoint_id, _ in subscribed
        ],
    )
    return [endpoint_id for endpoint_id, _ in subscribed]


def link(runtime: Runtime, path: str) -> str:
    base = runtime.settings.public_url or ""
    return f"{base}{path}"


def verification_data(
    runtime: Runtime,
    verification_id: str,
    status: str,
    reason: str | None,
    summary: Mapping[str, Any] | None,
    changed_fields: Iterable[str] = (),
) -> dict[str, Any]:
    """A verification event's ``data``: ids and codes, never names, dates or member ids."""
    data: dict[str, Any] = {
        "verification_id": verification_id,
        "status": status,
        "reason": reason,
        "coverage_status": (summary or {}).get("coverage", {}).get("status"),
        "network_status": (summary or {}).get("network", {}).get("status"),
        "links": {"verification": link(runtime, f"/api/v1/verifications/{verification_id}")},
    }
    fields = list(changed_fields)
    if fields:
        data["changed_fields"] = fields
    return data


def verification_finished(
    connection: Executes,
    runtime: Runtime,
    verification_id: str,
    values: Mapping[str, Any],
    summary: Mapping[str, Any] | None,
) -> list[str]:
    """The events of a run that ended: its state's, and ``changed`` when a re-check moved.

    ``values`` are the columns the check wrote (status, reason, and changes when compared).
    """
    status = str(values["status"])
    if status not in FOR_STATUS:
        return []
    found = values.get("changes") or []
    fields = [change["field"] for change in found]
    data = verification_data(
        runtime, verification_id, status, values.get("reason"), summary, fields
    )
    touched = record(connection, runtime, FOR_STATUS[status], data, summary=summary)
    if fields:
        touched += record(connection, runtime, VERIFICATION_CHANGED, data, summary=summary)
    return sorted(set(touched))


def finished(
    connection: Executes,
    runtime: Runtime,
    verification_id: str,
    values: Mapping[str, Any],
    rowcount: int,
) -> list[str]:
    """``check._finish``'s hook: events for a final state this worker wrote (lease held)."""
    if rowcount != 1 or values.get("status") not in FOR_STATUS:
        return []
    return verification_finished(
        connection, runtime, verification_id, values, values.get("summary")
    )


def completed_by_phone(
    connection: Executes, runtime: Runtime, verification_id: str, applied: bool
) -> list[str]:
    """``staff.phone_vob.record``'s hook: a coordinator completed it by phone."""
    if not applied:
        return []
    values = {"status": "completed", "reason": "manual"}
    return verification_finished(connection, runtime, verification_id, values, None)


def rechecked(
    connection: Executes,
    runtime: Runtime,
    verification_id: str,
    values: Mapping[str, Any],
    row: Any,
    written: Any,
) -> list[str]:
    """``maintenance.compare_recheck``'s hook: a re-check compared after the fact."""
    if written.rowcount != 1 or not values.get("changes"):
        return []
    return verification_finished(connection, runtime, verification_id, dict(values), row.summary)


def callback_requested(
    connection: Executes, runtime: Runtime, callback_id: str, kind: str
) -> list[str]:
    """A visitor asked to be called: the id to look up in the console, nothing else.

    ``kind`` "callback": asked for on its own (``callback_id`` is the request's id);
    "verification": ticked on the verification form, or asked on its result page (the id is
    the verification's; once per verification).
    """
    data: dict[str, Any] = {"kind": kind}
    if kind == "verification":
        data["verification_id"] = callback_id
        data["links"] = {"verification": link(runtime, f"/api/v1/verifications/{callback_id}")}
    else:
        data["callback_id"] = callback_id
        data["links"] = {"console": link(runtime, "/console/callbacks")}
    return record(connection, runtime, CALLBACK_REQUESTED, data)


def batch_completed(
    connection: Executes,
    runtime: Runtime,
    batch: Any,
    counts: Mapping[str, int],
    written: Any,
) -> list[str]:
    """``batches.progress``'s hook: the batch's last row became final (recorded once)."""
    if written.rowcount != 1:
        return []
    data = {
        "batch_id": batch.id,
        "total": batch.total,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "counts": dict(counts),
        "links": {"batch": link(runtime, f"/api/v1/batches/{batch.id}")},
    }
    return record(connection, runtime, BATCH_COMPLETED, data)


def authorization_expiring(
    connection: Executes, runtime: Runtime, row: Any, days_left: int, written: Any
) -> list[str]:
    """``staff.authorizations.report_expiring``'s hook: an approved authorization ends within
    the alert window (recorded once per end date). Days left and units, not the dates: the
    number, the UM contact and the dates stay behind the staff API link."""
    if written.rowcount != 1:
        return []
    remaining = (
        max(row.approved_units - row.used_units, 0) if row.approved_units is not None else None
    )
    data = {
        "authorization_id": row.id,
        "verification_id": row.verification_id,
        "level_of_care": row.level_of_care,
        "days_left": days_left,
        "unit": row.unit,
        "approved_units": row.approved_units,
        "used_units": row.used_units,
        "remaining_units": remaining,
        "links": {
            "authorization": link(
                runtime,
                f"/api/v1/verifications/{row.verification_id}/authorizations/{row.id}",
            )
        },
    }
    return record(connection, runtime, AUTHORIZATION_EXPIRING, data)


def kick(runtime: Runtime, endpoint_ids: Iterable[str]) -> None:
    """After the commit: ask the webhooks queue to send. Redis down: the cron sends later."""
    for endpoint_id in endpoint_ids:
        try:
            enqueue_endpoint(runtime, endpoint_id)
        except Exception as exc:
            log.warning(
                "webhook endpoint %s: not enqueued (%s); the dispatch job will send",
                endpoint_id,
                type(exc).__name__,
            )

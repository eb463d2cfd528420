"""The delivery log per endpoint, and replay (one delivery, or everything since a time).

The log shows status, attempts, response code, latency and an error code: never a
body, so never PHI. A replay is a new delivery of the same event (same ``webhook-id``,
so a receiver that already has it can tell), queued behind what is pending.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from verifier.runtime import Runtime
from verifier.store.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks.endpoints import UnknownEndpoint
from verifier.webhooks.events import kick

MAX_LOG = 500
MAX_REPLAY = 10_000


class UnknownDelivery(LookupError):
    """No delivery has this id (for this endpoint)."""


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def deliveries(runtime: Runtime, endpoint_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The endpoint's deliveries, newest first."""
    with runtime.db.session() as session:
        if session.get(WebhookEndpoint, endpoint_id) is None:
            raise UnknownEndpoint(endpoint_id)
        rows = session.execute(
            select(WebhookDelivery, WebhookEvent.type, WebhookEvent.msg_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(min(limit, MAX_LOG))
        ).all()
        return [
            {
                "id": d.id,
                "event": event_type,
                "webhook_id": msg_id,
                "status": d.status,
                "attempts": d.attempts,
                "response_code": d.response_code,
                "latency_ms": d.latency_ms,
                "error": d.error,
                "created_at": _iso(d.created_at),
                "last_attempt_at": _iso(d.last_attempt_at),
                "next_attempt_at": _iso(d.next_attempt_at),
                "delivered_at": _iso(d.delivered_at),
                "replay_of": d.replay_of,
            }
            for d, event_type, msg_id in rows
        ]


def _again(original: WebhookDelivery, now: dt.datetime) -> WebhookDelivery:
    return WebhookDelivery(
        endpoint_id=original.endpoint_id,
        event_id=original.event_id,
        status="pending",
        created_at=now,
        next_attempt_at=now,
        attempts=0,
        replay_of=original.id,
    )


def replay(runtime: Runtime, endpoint_id: str, delivery_id: int) -> int:
    """Send one delivery's event again; the new delivery's id."""
    now = utcnow()
    with runtime.db.session() as session:
        original = session.get(WebhookDelivery, delivery_id)
        if original is None or original.endpoint_id != endpoint_id:
            raise UnknownDelivery(str(delivery_id))
        again = _again(original, now)
        session.add(again)
        session.flush()
        new_id = int(again.id)
    kick(runtime, [endpoint_id])
    return new_id


def replay_since(runtime: Runtime, endpoint_id: str, since: dt.datetime) -> int:
    """Send again every event this endpoint was sent since ``since``, in their order.

    One new delivery per event (an event delivered twice is replayed once).
    """
    now = utcnow()
    with runtime.db.session() as session:
        if session.get(WebhookEndpoint, endpoint_id) is None:
            raise UnknownEndpoint(endpoint_id)
        rows = (
            session.execute(
                select(WebhookDelivery)
                .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
                .where(
                    WebhookDelivery.endpoint_id == endpoint_id,
                    WebhookEvent.created_at >= since,
                )
                .order_by(WebhookEvent.id, WebhookDelivery.id)
                .limit(MAX_REPLAY)
            )
            .scalars()
            .all()
        )
        seen: set[int] = set()
        for original in rows:
            if original.event_id in seen:
                continue
            seen.add(original.event_id)
            session.add(_again(original, now))
    kick(runtime, [endpoint_id])
    return len(seen)

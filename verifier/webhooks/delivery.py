"""Sending: one endpoint at a time, in event order, retried with back-off for 24 hours.

``deliver_endpoint`` is the webhooks queue's job (its argument is an endpoint id, never
PHI). A lease on the endpoint's row makes it the only sender for that endpoint, so
deliveries go out one by one in the order their events were recorded; the head of the
line waits for its retry and the rest wait behind it. Each POST has a timeout
(VERIFIER_WEBHOOK_TIMEOUT) and follows no redirect. A 2xx is delivered; anything else
is retried after ``backoff`` until the delivery is 24 hours old (then ``failed``); an
endpoint that has failed for 24 hours is disabled, which the console shows to admins.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import delete, or_, select, update

from verifier.runtime import Runtime
from verifier.store.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from verifier.store.records import unseal
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks import signing
from verifier.webhooks.endpoints import endpoint_secrets, summary_allowed
from verifier.webhooks.enqueue import enqueue_endpoint
from verifier.webhooks.events import event_context

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=24)  # a delivery is retried, and an endpoint may fail, this long
FIRST_RETRY = 5.0  # seconds; doubled each attempt ...
LONGEST_WAIT = 3600.0  # ... up to an hour between attempts
JITTER = 0.25  # each wait is its step times 1 - jitter .. 1 + jitter
USER_AGENT = "verifier-webhooks/1"


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones (exponential, jittered)."""
    step = min(LONGEST_WAIT, FIRST_RETRY * 2 ** max(0, attempts - 1))
    spread = (rng or random).uniform(-JITTER, JITTER)
    return step * (1 + spread)


def lease_seconds(runtime: Runtime) -> float:
    return runtime.settings.webhook_timeout * 2 + 30


@dataclass(frozen=True)
class Result:
    """One attempt's outcome, as the delivery log keeps it (no body, no PHI)."""

    ok: bool
    response_code: int | None
    latency_ms: int
    error: str | None


def deliver_endpoint(runtime: Runtime, endpoint_id: str) -> int:
    """Send what is due for one endpoint, in order; how many were delivered."""
    sent = 0
    while True:
        if not _take_lease(runtime, endpoint_id):
            return sent  # another sender holds it; it re-checks after letting go
        try:
            sent += _drain(runtime, endpoint_id)
        finally:
            _release(runtime, endpoint_id)
        if not _has_due(runtime, endpoint_id):
            return sent


def _take_lease(runtime: Runtime, endpoint_id: str) -> bool:
    now = utcnow()
    with runtime.db.session() as session:
        taken = session.execute(
            update(WebhookEndpoint)
            .where(
                WebhookEndpoint.id == endpoint_id,
                WebhookEndpoint.disabled_at.is_(None),
                or_(
                    WebhookEndpoint.lease_expires_at.is_(None),
                    WebhookEndpoint.lease_expires_at < now,
                ),
            )
            .values(lease_expires_at=now + dt.timedelta(seconds=lease_seconds(runtime)))
            .execution_options(synchronize_session=False)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def _renew(runtime: Runtime, endpoint_id: str) -> None:
    with runtime.db.session() as session:
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .values(lease_expires_at=utcnow() + dt.timedelta(seconds=lease_seconds(runtime)))
            .execution_options(synchronize_session=False)
        )


def _release(runtime: Runtime, endpoint_id: str) -> None:
    with runtime.db.session() as session:
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id)
            .values(lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )


def _has_due(runtime: Runtime, endpoint_id: str) -> bool:
    """The head of the line is due (later deliveries wait behind it, due or not)."""
    head = _head(runtime, endpoint_id)
    if head is None or (head.next_attempt_at is not None and head.next_attempt_at > utcnow()):
        return False
    with runtime.db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        return endpoint is not None and endpoint.disabled_at is None


@dataclass(frozen=True)
class _Head:
    delivery_id: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    attempts: int
    msg_id: str
    event_type: str
    event_at: dt.datetime
    data: dict[str, Any]
    summary_enc: str | None


def _head(runtime: Runtime, endpoint_id: str) -> _Head | None:
    with runtime.db.session() as session:
        row = session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.created_at,
                WebhookDelivery.next_attempt_at,
                WebhookDelivery.attempts,
                WebhookEvent.msg_id,
                WebhookEvent.type,
                WebhookEvent.created_at,
                WebhookEvent.data,
                WebhookEvent.summary_enc,
            )
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "pending")
            .order_by(WebhookDelivery.id)
            .limit(1)
        ).one_or_none()
    return _Head(*row) if row is not None else None


def _drain(runtime: Runtime, endpoint_id: str) -> int:
    sent = 0
    while True:
        with runtime.db.session() as session:
            endpoint = session.get(WebhookEndpoint, endpoint_id)
            if endpoint is None or endpoint.disabled_at is not None:
                return sent
            session.expunge(endpoint)
        head = _head(runtime, endpoint_id)
        if head is None:
            return sent
        now = utcnow()
        if head.next_attempt_at is not None and head.next_attempt_at > now:
            enqueue_endpoint(runtime, endpoint_id, at=head.next_attempt_at)
            return sent
        body = payload(runtime, endpoint, head)
        result = post(runtime, endpoint, head.msg_id, body)
        _record(runtime, endpoint, head, result)
        if not result.ok:
            return sent  # the head waits for its retry; the rest wait behind it
        sent += 1
        _renew(runtime, endpoint_id)


def payload(runtime: Runtime, endpoint: WebhookEndpoint, head: _Head) -> str:
    """The body: ``{type, timestamp, data}`` as the spec's examples have it."""
    data = dict(head.data)
    if head.summary_enc is not None and summary_allowed(endpoint):
        text = unseal(
            runtime.keyring, "webhook.summary", event_context(head.msg_id), head.summary_enc
        )
        data["summary"] = json.loads(text)
    document = {
        "type": head.event_type,
        "timestamp": head.event_at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def post(runtime: Runtime, endpoint: WebhookEndpoint, msg_id: str, body: str) -> Result:
    """One signed POST with a timeout. Never raises for the receiver's failures."""
    timestamp = int(time.time())
    headers = signing.headers(endpoint_secrets(runtime, endpoint), msg_id, timestamp, body)
    headers |= {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    started = time.monotonic()
    try:
        with requests.post(
            endpoint.url,
            data=body.encode(),
            headers=headers,
            timeout=runtime.settings.webhook_timeout,
            allow_redirects=False,
            stream=True,  # the receiver's body is never read: not logged, not kept
        ) as response:
            code = response.status_code
    except requests.Timeout:
        return Result(False, None, _ms(started), "timeout")
    except requests.ConnectionError:
        return Result(False, None, _ms(started), "connection_error")
    except requests.RequestException as exc:
        return Result(False, None, _ms(started), type(exc).__name__)
    ok = 200 <= code < 300
    return Result(ok, code, _ms(started), None if ok else f"http_{code}")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _record(runtime: Runtime, endpoint: WebhookEndpoint, head: _Head, result: Result) -> None:
    """The attempt in the log; the retry or the give-up; the endpoint's health."""
    now = utcnow()
    attempts = head.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": now,
        "response_code": result.response_code,
        "latency_ms": result.latency_ms,
        "error": result.error,
    }
    with runtime.db.session() as session:
        if result.ok:
            values |= {"status": "delivered", "delivered_at": now, "next_attempt_at": None}
            session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint.id)
                .values(failing_since=None)
                .execution_options(synchronize_session=False)
            )
        else:
            # The last attempt is at the end of the window, not short of it.
            deadline = head.created_at + WINDOW
            gave_up = now >= deadline
            if gave_up:
                values |= {"status": "failed", "next_attempt_at": None}
            else:
                retry_at = now + dt.timedelta(seconds=backoff(attempts))
                values["next_attempt_at"] = min(retry_at, deadline)
            failing_since = endpoint.failing_since or now
            endpoint_values: dict[str, Any] = {"failing_since": failing_since}
            # A delivery that failed through its whole window failed with the endpoint.
            if gave_up or now - failing_since >= WINDOW:
                endpoint_values |= {
                    "disabled_at": now,
                    "disabled_reason": "failing for 24 hours; last: " + (result.error or "error"),
                }
                log.warning("webhook endpoint %s disabled after 24 hours failing", endpoint.id)
            session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint.id)
                .values(**endpoint_values)
                .execution_options(synchronize_session=False)
            )
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == head.delivery_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    log.info(
        "webhook delivery %s to endpoint %s: attempt %d %s",
        head.delivery_id,
        endpoint.id,
        attempts,
        "delivered" if result.ok else result.error,
    )


def prune(runtime: Runtime, now: dt.datetime) -> int:
    """Forget events older than the retention period (VERIFIER_RETENTION_DAYS) once none
    of their deliveries is pending: the outbox and its log do not grow for ever, and a
    sealed summary is not kept longer than the verification's own PHI."""
    cutoff = now - dt.timedelta(days=runtime.settings.retention_days)
    pending = select(WebhookDelivery.event_id).where(WebhookDelivery.status == "pending")
    with runtime.db.session() as session:
        old = (
            session.execute(
                select(WebhookEvent.id)
                .where(WebhookEvent.created_at < cutoff, WebhookEvent.id.not_in(pending))
                .limit(5000)
            )
            .scalars()
            .all()
        )
        if not old:
            return 0
        session.execute(
            delete(WebhookDelivery)
            .where(WebhookDelivery.event_id.in_(old))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(WebhookEvent)
            .where(WebhookEvent.id.in_(old))
            .execution_options(synchronize_session=False)
        )
    return len(old)

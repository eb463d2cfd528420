"""Delivery to a real receiver on loopback: signed, minimum PHI, retried, in order, disabled.

Checks run in-process on the sandbox payer (``inline_settings``: no worker races them);
``deliver_endpoint`` is the webhooks job's body, called here as the worker would.
Time moves with time-machine for retries and the 24-hour disable.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from tests.unit.webhooks.conftest import Receiver, submit
from verifier.runtime import Runtime
from verifier.store.models import WebhookDelivery, WebhookEndpoint
from verifier.verifications.check import run_check
from verifier.webhooks import endpoints, events
from verifier.webhooks import log as delivery_log
from verifier.webhooks.delivery import WINDOW, deliver_endpoint
from verifier.webhooks.dispatch import dispatch

ALL = list(events.EVENT_TYPES)


def add(runtime: Runtime, url: str, event_types: list[str] | None = None) -> endpoints.Created:
    return endpoints.add(runtime, url, event_types or ALL, created_by="admin@center.example")


def record(runtime: Runtime, n: int) -> None:
    with runtime.db.session() as session:
        events.record(
            session, runtime, events.CALLBACK_REQUESTED, {"callback_id": f"cb{n}", "kind": "t"}
        )


def deliveries(runtime: Runtime, endpoint_id: str) -> list[WebhookDelivery]:
    with runtime.db.session() as session:
        rows = session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id)
        ).scalars()
        found = list(rows)
        session.expunge_all()
        return found


def endpoint_row(runtime: Runtime, endpoint_id: str) -> WebhookEndpoint:
    with runtime.db.session() as session:
        row = session.get_one(WebhookEndpoint, endpoint_id)
        session.expunge(row)
        return row


def body_of(receiver: Receiver, index: int = -1) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(receiver.requests[index].body)
    return data


def test_a_completed_check_is_posted_signed_and_without_phi(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url, [events.VERIFICATION_COMPLETED])
    vid = submit(hook_runtime)
    assert run_check(hook_runtime, vid) == "completed"

    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 1

    [got] = receiver.requests
    document = Webhook(created.secret).verify(got.body, got.headers)
    assert document["type"] == "verification.completed"
    assert document["data"]["verification_id"] == vid
    assert document["data"]["status"] == "completed"
    assert document["data"]["coverage_status"] == "active"
    assert document["data"]["links"]["verification"] == f"/api/v1/verifications/{vid}"
    assert "summary" not in document["data"]
    for phi in ("Zelpha", "Quintavius", "1988-04-12", "SBX-ACTIVE-1001", "555-201-3344"):
        assert phi not in got.body
        assert phi not in json.dumps(got.headers)
    assert got.headers["webhook-id"].startswith("msg_")


def test_a_summary_goes_only_to_an_https_endpoint_configured_for_it(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    completed = [events.VERIFICATION_COMPLETED]
    plain = add(hook_runtime, receiver.url, completed)
    secure = endpoints.add(
        hook_runtime,
        "https://crm.example.org/hooks",
        completed,
        created_by="a",
        include_summary=True,
    )
    vid = submit(hook_runtime)
    run_check(hook_runtime, vid)
    from verifier.webhooks.delivery import _head, payload

    for created, sent in ((plain, False), (secure, True)):
        row = endpoint_row(hook_runtime, created.endpoint["id"])
        head = _head(hook_runtime, row.id)
        assert head is not None
        data = json.loads(payload(hook_runtime, row, head))["data"]
        assert ("summary" in data) is sent
    secure_row = endpoint_row(hook_runtime, secure.endpoint["id"])
    head = _head(hook_runtime, secure_row.id)
    assert head is not None
    summary = json.loads(payload(hook_runtime, secure_row, head))["data"]["summary"]
    assert summary["coverage"]["status"] == "active"


def test_http_is_refused_for_the_summary_and_outside_loopback(hook_runtime: Runtime) -> None:
    import pytest

    with pytest.raises(endpoints.EndpointError) as refused:
        endpoints.add(
            hook_runtime, "http://127.0.0.1:9/x", ALL, created_by="a", include_summary=True
        )
    assert "include_summary" in refused.value.errors
    with pytest.raises(endpoints.EndpointError) as remote:
        endpoints.add(hook_runtime, "http://crm.example.org/x", ALL, created_by="a")
    assert remote.value.errors["url"][0].startswith("Use https")
    assert endpoints.url_errors("http://127.0.0.1/x", production=True)
    assert endpoints.url_errors("https://crm.example.org/x", production=True) == []


def test_a_500_is_retried_after_a_backoff_and_then_delivered(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    receiver.answer(500)
    record(hook_runtime, 1)

    assert deliver_endpoint(hook_runtime, eid) == 0
    [first] = deliveries(hook_runtime, eid)
    assert (first.status, first.attempts, first.response_code, first.error) == (
        "pending",
        1,
        500,
        "http_500",
    )
    assert first.next_attempt_at is not None
    wait = (first.next_attempt_at - dt.datetime.now(dt.UTC)).total_seconds()
    assert 2 < wait < 7  # 5 s, with jitter
    assert deliver_endpoint(hook_runtime, eid) == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    with time_machine.travel(first.next_attempt_at + dt.timedelta(seconds=1)):
        assert deliver_endpoint(hook_runtime, eid) == 1
    [done] = deliveries(hook_runtime, eid)
    assert (done.status, done.attempts, done.response_code) == ("delivered", 2, 200)
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout_retried_later(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    receiver.answer((200, 2.5))  # past the 1 s VERIFIER_WEBHOOK_TIMEOUT of these tests
    record(hook_runtime, 1)
    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 0
    [row] = deliveries(hook_runtime, created.endpoint["id"])
    assert (row.status, row.error, row.response_code) == ("pending", "timeout", None)
    assert row.latency_ms is not None and 900 <= row.latency_ms < 2400


def test_deliveries_go_out_in_event_order_behind_a_failing_one(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    receiver.answer(503)
    for n in range(3):
        record(hook_runtime, n)
    assert deliver_endpoint(hook_runtime, eid) == 0
    assert len(receiver.requests) == 1  # the others wait behind the first

    head = deliveries(hook_runtime, eid)[0]
    assert head.next_attempt_at is not None
    with time_machine.travel(head.next_attempt_at + dt.timedelta(seconds=1)):
        assert deliver_endpoint(hook_runtime, eid) == 3
    sent = [body_of(receiver, i)["data"]["callback_id"] for i in range(len(receiver.requests))]
    assert sent == ["cb0", "cb0", "cb1", "cb2"]


def test_a_second_sender_for_the_same_endpoint_stands_aside(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    record(hook_runtime, 1)
    with hook_runtime.db.session() as session:  # another worker holds the lease
        session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == eid)
            .values(lease_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
        )
    assert deliver_endpoint(hook_runtime, eid) == 0
    assert receiver.requests == []


def test_an_endpoint_failing_for_24_hours_is_disabled_and_admins_are_told(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    receiver.answer(*([500] * 200))
    record(hook_runtime, 1)
    started = dt.datetime.now(dt.UTC)
    assert deliver_endpoint(hook_runtime, eid) == 0
    attempts = 1
    while endpoint_row(hook_runtime, eid).disabled_at is None:
        [row] = deliveries(hook_runtime, eid)
        assert row.next_attempt_at is not None, "given up before the endpoint was disabled"
        with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1), tick=True):
            deliver_endpoint(hook_runtime, eid)
        attempts += 1
        assert attempts < 100
    endpoint = endpoint_row(hook_runtime, eid)
    assert endpoint.disabled_at is not None
    assert endpoint.disabled_at - started >= WINDOW
    assert endpoint.disabled_at - started < WINDOW + dt.timedelta(hours=1, minutes=16)
    assert endpoint.disabled_reason == "failing for 24 hours; last: http_500"
    assert 25 < attempts < 50  # exponential up to an hour apart, not a hammering
    assert [e["id"] for e in endpoints.disabled_endpoints(hook_runtime)] == [eid]
    sent = len(receiver.requests)
    record(hook_runtime, 2)
    assert deliver_endpoint(hook_runtime, eid) == 0
    assert len(receiver.requests) == sent  # nothing goes to a disabled endpoint


def test_replay_sends_one_delivery_again_with_the_same_webhook_id(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    record(hook_runtime, 1)
    record(hook_runtime, 2)
    assert deliver_endpoint(hook_runtime, eid) == 2
    first = deliveries(hook_runtime, eid)[0]
    again = delivery_log.replay(hook_runtime, eid, first.id)
    assert deliver_endpoint(hook_runtime, eid) == 1
    assert receiver.requests[-1].headers["webhook-id"] == receiver.requests[0].headers["webhook-id"]
    logged = delivery_log.deliveries(hook_runtime, eid)
    assert logged[0]["id"] == again and logged[0]["replay_of"] == first.id
    assert logged[0]["status"] == "delivered"


def test_replay_since_a_time_resends_those_events_in_order(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    record(hook_runtime, 0)
    cut = dt.datetime.now(dt.UTC)
    record(hook_runtime, 1)
    record(hook_runtime, 2)
    deliver_endpoint(hook_runtime, eid)
    assert delivery_log.replay_since(hook_runtime, eid, cut) == 2
    deliver_endpoint(hook_runtime, eid)
    sent = [body_of(receiver, i)["data"]["callback_id"] for i in range(len(receiver.requests))]
    assert sent == ["cb0", "cb1", "cb2", "cb1", "cb2"]


def test_a_rotated_secret_signs_beside_the_old_one_for_the_overlap(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    rotated = endpoints.rotate_secret(hook_runtime, eid, overlap=dt.timedelta(hours=1))
    record(hook_runtime, 1)
    deliver_endpoint(hook_runtime, eid)
    got = receiver.requests[-1]
    Webhook(created.secret).verify(got.body, got.headers)
    Webhook(rotated.secret).verify(got.body, got.headers)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        record(hook_runtime, 2)
        deliver_endpoint(hook_runtime, eid)
        got = receiver.requests[-1]
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Webhook(rotated.secret).verify(got.body, got.headers)


def test_events_recorded_while_redis_is_down_are_sent_by_the_dispatch_job(
    hook_runtime: Runtime, receiver: Receiver, make_app: Any
) -> None:
    import dataclasses

    # Only this event: dispatch also closes batches other tests left open, whose
    # batch.completed events would go to an endpoint subscribed to everything.
    created = add(hook_runtime, receiver.url, [events.CALLBACK_REQUESTED])
    broken = make_app(
        dataclasses.replace(hook_runtime.settings, redis_url="redis://127.0.0.1:9/0")
    ).extensions["verifier"]
    with broken.db.session() as session:
        touched = events.record(
            session, broken, events.CALLBACK_REQUESTED, {"callback_id": "cb1", "kind": "t"}
        )
    events.kick(broken, touched)  # logs, does not raise: the outbox keeps the event
    assert [d.status for d in deliveries(hook_runtime, created.endpoint["id"])] == ["pending"]
    assert dispatch(hook_runtime) >= 1
    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 1
    assert body_of(receiver)["data"]["callback_id"] == "cb1"


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url, [events.VERIFICATION_FAILED])
    record(hook_runtime, 1)
    vid = submit(hook_runtime)
    run_check(hook_runtime, vid)
    assert deliveries(hook_runtime, created.endpoint["id"]) == []


def test_a_call_back_ticked_on_the_form_is_a_callback_requested_event(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = add(hook_runtime, receiver.url, [events.CALLBACK_REQUESTED])
    vid = submit(hook_runtime)  # valid_body ticks "call me back", with a phone number
    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 1
    data = body_of(receiver)["data"]
    assert data == {
        "kind": "verification",
        "verification_id": vid,
        "links": {"verification": f"/api/v1/verifications/{vid}"},
    }
    assert "555-201-3344" not in receiver.requests[0].body


def test_an_https_endpoint_configured_for_it_gets_the_summary_and_others_do_not(
    hook_runtime: Runtime, receiver: Receiver, https_receiver: Receiver
) -> None:
    completed = [events.VERIFICATION_COMPLETED]
    plain = add(hook_runtime, receiver.url, completed)
    secure = endpoints.add(
        hook_runtime, https_receiver.url, completed, created_by="a", include_summary=True
    )
    vid = submit(hook_runtime)
    run_check(hook_runtime, vid)
    assert deliver_endpoint(hook_runtime, plain.endpoint["id"]) == 1
    assert deliver_endpoint(hook_runtime, secure.endpoint["id"]) == 1

    got = https_receiver.requests[0]
    summary = Webhook(secure.secret).verify(got.body, got.headers)["data"]["summary"]
    assert summary["coverage"]["status"] == "active"
    assert summary["benefits"]["in_network"]["copay"]["amount"] == "30.00"
    assert "summary" not in body_of(receiver)["data"]
    for phi in ("Zelpha", "Quintavius", "1988-04-12", "SBX-ACTIVE-1001"):
        assert phi not in got.body  # the summary has no identifiers either


def test_events_past_the_retention_period_are_forgotten_once_sent(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    from verifier.webhooks.delivery import prune

    created = add(hook_runtime, receiver.url)
    eid = created.endpoint["id"]
    record(hook_runtime, 1)
    deliver_endpoint(hook_runtime, eid)
    receiver.answer(*([500] * 5))
    record(hook_runtime, 2)  # still pending: kept however old
    deliver_endpoint(hook_runtime, eid)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=hook_runtime.settings.retention_days + 1)
    assert prune(hook_runtime, later) >= 1  # (and other tests' old events)
    assert [d.status for d in deliveries(hook_runtime, eid)] == ["pending"]

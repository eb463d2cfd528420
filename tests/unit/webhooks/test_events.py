"""Where events come from: a re-check that changed, a batch that finished.

Each is recorded in the transaction of the change (the outbox); the payload names ids,
codes and the changed fields, never the member.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.fakes.submissions import valid_body
from tests.unit.webhooks.conftest import Receiver, submit
from verifier.domain import LevelOfCare
from verifier.runtime import Runtime
from verifier.staff import authorizations
from verifier.staff.accounts import Staff
from verifier.store.models import BatchRow, Verification, WebhookEvent
from verifier.verifications import batches, intake, maintenance
from verifier.verifications.check import run_check
from verifier.verifications.schemas import SubmitSchema, submission_from
from verifier.webhooks import endpoints, events
from verifier.webhooks.delivery import deliver_endpoint
from verifier.webhooks.dispatch import dispatch


def sent(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.requests]


def test_a_recheck_that_changed_is_verification_changed_with_the_field_names(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    vid = submit(hook_runtime)
    run_check(hook_runtime, vid)
    created = endpoints.add(
        hook_runtime,
        receiver.url,
        [events.VERIFICATION_CHANGED, events.VERIFICATION_NEEDS_REVIEW],
        created_by="admin",
    )
    with hook_runtime.db.session() as session:  # the answer before the re-check differed
        row = session.get_one(Verification, vid)
        before = copy.deepcopy(row.summary)
        assert before is not None
        before["benefits"]["in_network"]["copay"]["amount"] = "50.00"
        session.execute(
            update(Verification)
            .where(Verification.id == vid)
            .values(previous_summary=before, changes=None)
        )
    assert maintenance.compare_recheck(hook_runtime, vid) is True

    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 2
    types = [m["type"] for m in sent(receiver)]
    assert types == ["verification.needs_review", "verification.changed"]
    changed = sent(receiver)[1]["data"]
    assert changed["changed_fields"] == ["benefits.in_network.copay.amount"]
    assert (changed["verification_id"], changed["status"], changed["reason"]) == (
        vid,
        "needs_review",
        "changed",
    )


def _batch(runtime: Runtime, count: int) -> tuple[str, list[str]]:
    items = []
    for n in range(count):
        body = valid_body()
        body["member"]["member_id"] = f"SBX-ACTIVE-{n}"
        body.pop("contact")
        items.append(body)
    created = batches.create(
        runtime, batches.items_from_json(items), created_by="admin", source="json"
    )
    with runtime.db.session() as session:
        ids = list(
            session.execute(
                select(BatchRow.verification_id).where(BatchRow.batch_id == created.id)
            ).scalars()
        )
    return created.id, [i for i in ids if i]


def test_a_finished_batch_is_batch_completed_once_even_if_nobody_polls_it(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    created = endpoints.add(
        hook_runtime, receiver.url, [events.BATCH_COMPLETED], created_by="admin"
    )
    batch_id, ids = _batch(hook_runtime, 2)
    for vid in ids:
        run_check(hook_runtime, vid)
    dispatch(hook_runtime)  # the cron job looks at batches nobody polled
    assert batches.progress(hook_runtime, batch_id) is not None  # a poll adds nothing
    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 1
    [message] = sent(receiver)
    assert message["type"] == "batch.completed"
    assert message["data"]["batch_id"] == batch_id
    assert message["data"]["counts"]["completed"] == 2
    assert message["data"]["links"] == {"batch": f"/api/v1/batches/{batch_id}"}


def test_a_verification_completed_by_phone_is_verification_completed_manual(
    hook_runtime: Runtime, receiver: Receiver, make_app: Any, webhook_settings: Any
) -> None:
    from tests.unit.staff.conftest import make_account
    from verifier.staff import accounts

    app = make_app(webhook_settings)
    vid = submit(hook_runtime, "SBX-NOTFOUND-1")
    assert run_check(hook_runtime, vid) == "failed"
    created = endpoints.add(
        hook_runtime, receiver.url, [events.VERIFICATION_COMPLETED], created_by="admin"
    )
    coordinator = make_account(hook_runtime, "coordinator")
    token = accounts.issue_token(hook_runtime, coordinator.email)[1]
    response = app.test_client().post(
        f"/api/v1/verifications/{vid}/manual",
        json={
            "reference_number": "REF-123",
            "rep_name": "Dana",
            "level_of_care": "iop",
            "coverage_status": "active",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 1
    data = sent(receiver)[0]["data"]
    assert (data["verification_id"], data["status"], data["reason"]) == (vid, "completed", "manual")


@pytest.fixture
def coordinator(hook_runtime: Runtime) -> Staff:
    """Who records the authorizations (one account per test: each costs an argon2 hash)."""
    from tests.unit.staff.conftest import make_account

    account = make_account(hook_runtime, "coordinator")
    return Staff(id=0, email=account.email, role="coordinator")


@pytest.fixture
def expiring_hook(hook_runtime: Runtime, receiver: Receiver) -> str:
    """An endpoint subscribed to ``authorization.expiring`` only; its id."""
    created = endpoints.add(
        hook_runtime, receiver.url, [events.AUTHORIZATION_EXPIRING], created_by="admin"
    )
    return str(created.endpoint["id"])


def _authorization(
    runtime: Runtime, staff: Staff, vid: str, ends: dt.date, status: str = "approved"
) -> int:
    """An authorization through the console's use case. Tests use years of their own: the
    job reports every authorization in its window, whoever made it."""
    return authorizations.add(
        runtime,
        staff,
        vid,
        {
            "level_of_care": LevelOfCare.IOP,
            "status": status,
            "unit": "sessions",
            "approved_units": 20,
            "used_units": 12,
            "end_date": ends,
            "number": "AUTH-SECRET-881",
            "contact": "Magellan UM, Dana",
        },
    )


def test_an_authorization_ending_within_seven_days_is_authorization_expiring_once(
    hook_runtime: Runtime, receiver: Receiver, coordinator: Staff, expiring_hook: str
) -> None:
    today = dt.date(2031, 3, 10)
    vid = submit(hook_runtime)
    ending = _authorization(hook_runtime, coordinator, vid, today + dt.timedelta(days=5))
    _authorization(hook_runtime, coordinator, vid, today + dt.timedelta(days=30))  # not yet
    _authorization(
        hook_runtime, coordinator, vid, today + dt.timedelta(days=3), status="denied"
    )
    _authorization(hook_runtime, coordinator, vid, today - dt.timedelta(days=1))  # ended

    assert authorizations.report_expiring(hook_runtime, today) == 1
    assert authorizations.report_expiring(hook_runtime, today) == 0  # the cron runs hourly

    assert deliver_endpoint(hook_runtime, expiring_hook) == 1
    [message] = sent(receiver)
    assert message["type"] == "authorization.expiring"
    assert message["data"] == {
        "authorization_id": ending,
        "verification_id": vid,
        "level_of_care": "iop",
        "days_left": 5,
        "unit": "sessions",
        "approved_units": 20,
        "used_units": 12,
        "remaining_units": 8,
        "links": {"authorization": f"/api/v1/verifications/{vid}/authorizations/{ending}"},
    }


def test_the_expiring_event_carries_no_authorization_number_contact_or_date(
    hook_runtime: Runtime, coordinator: Staff, expiring_hook: str
) -> None:
    today = dt.date(2032, 3, 10)
    vid = submit(hook_runtime)
    auth_id = _authorization(hook_runtime, coordinator, vid, today + dt.timedelta(days=2))
    authorizations.report_expiring(hook_runtime, today)
    with hook_runtime.db.session() as session:
        stored = session.execute(
            select(WebhookEvent.data).where(WebhookEvent.type == events.AUTHORIZATION_EXPIRING)
        ).scalars().all()
    [data] = [d for d in stored if d["authorization_id"] == auth_id]  # it was recorded
    text = json.dumps(data)
    assert "AUTH-SECRET-881" not in text
    assert "Magellan" not in text
    assert "2032-03-12" not in text


def test_an_extended_authorization_is_reported_again_when_its_new_end_nears(
    hook_runtime: Runtime, receiver: Receiver, coordinator: Staff, expiring_hook: str
) -> None:
    today = dt.date(2033, 3, 10)
    vid = submit(hook_runtime)
    auth_id = _authorization(hook_runtime, coordinator, vid, today + dt.timedelta(days=4))
    assert authorizations.report_expiring(hook_runtime, today) == 1
    authorizations.update_units(
        hook_runtime, coordinator, vid, auth_id, {"end_date": today + dt.timedelta(days=24)}
    )

    assert authorizations.report_expiring(hook_runtime, today) == 0  # 24 days out
    assert authorizations.report_expiring(hook_runtime, today + dt.timedelta(days=20)) == 1
    assert deliver_endpoint(hook_runtime, expiring_hook) == 2
    assert [m["data"]["days_left"] for m in sent(receiver)] == [4, 4]


def test_the_scheduled_job_reports_as_of_its_now(
    hook_runtime: Runtime, coordinator: Staff
) -> None:
    vid = submit(hook_runtime)
    _authorization(hook_runtime, coordinator, vid, dt.date(2034, 1, 10))
    job = maintenance.JOBS["report_expiring_authorizations"]
    assert job(hook_runtime, now=dt.datetime(2033, 12, 3, 9, tzinfo=dt.UTC)) == 0
    assert job(hook_runtime, now=dt.datetime(2034, 1, 5, 9, tzinfo=dt.UTC)) == 1


def test_a_call_back_asked_on_a_result_page_is_callback_requested_once(
    hook_runtime: Runtime, receiver: Receiver
) -> None:
    from verifier.store.records import ContactRecord
    from verifier.verifications.visitor_entries import ask_callback

    created = endpoints.add(
        hook_runtime, receiver.url, [events.CALLBACK_REQUESTED], created_by="admin"
    )
    body = valid_body()
    body.pop("contact")  # nothing ticked on the form
    vid = intake.submit(hook_runtime, submission_from(SubmitSchema().load(body))).id
    for _ in range(2):  # the visitor presses the button twice
        assert ask_callback(hook_runtime, vid, ContactRecord(phone="555-201-4455")) is not None

    assert deliver_endpoint(hook_runtime, created.endpoint["id"]) == 1
    [message] = sent(receiver)
    assert message["data"] == {
        "kind": "verification",
        "verification_id": vid,
        "links": {"verification": f"/api/v1/verifications/{vid}"},
    }

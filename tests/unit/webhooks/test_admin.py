"""Admins manage endpoints from the API, the console and the CLI; a secret is shown once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from tests.unit.staff.conftest import Account, csrf_of, make_account, sign_in
from tests.unit.webhooks.conftest import Receiver
from verifier.runtime import Runtime
from verifier.staff import accounts
from verifier.store.models import AuditEvent, WebhookEndpoint
from verifier.webhooks import endpoints
from verifier.webhooks.delivery import deliver_endpoint


@pytest.fixture
def admin_app(make_app: Any, webhook_settings: Any, hook_runtime: Runtime) -> Iterator[Any]:
    yield make_app(webhook_settings)  # hook_runtime removes the endpoints afterwards


@pytest.fixture
def admin_token(hook_runtime: Runtime) -> dict[str, str]:
    account = make_account(hook_runtime, "admin")
    return {"Authorization": f"Bearer {accounts.issue_token(hook_runtime, account.email)[1]}"}


def audited(runtime: Runtime, endpoint_id: str) -> list[str]:
    with runtime.db.session() as session:
        return list(
            session.execute(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "webhook", AuditEvent.object_id == endpoint_id)
                .order_by(AuditEvent.id)
            ).scalars()
        )


def test_the_api_adds_an_endpoint_and_shows_its_secret_only_then(
    admin_app: Any, admin_token: dict[str, str], hook_runtime: Runtime, receiver: Receiver
) -> None:
    client = admin_app.test_client()
    created = client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["callback.requested"]},
        headers=admin_token,
    )
    assert created.status_code == 201
    body = created.get_json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=admin_token)
    assert secret not in listed.get_data(as_text=True)
    one = client.get(f"/api/v1/webhooks/{body['id']}", headers=admin_token)
    assert secret not in one.get_data(as_text=True)
    with hook_runtime.db.session() as session:
        stored = session.get_one(WebhookEndpoint, body["id"]).secret_enc
    assert secret not in stored and stored.startswith("v1.")  # sealed at rest
    assert audited(hook_runtime, body["id"]) == ["webhook_added"]


def test_the_api_says_which_field_is_wrong(admin_app: Any, admin_token: dict[str, str]) -> None:
    response = admin_app.test_client().post(
        "/api/v1/webhooks",
        json={"url": "http://crm.example.org/x", "events": ["verification.exploded"]},
        headers=admin_token,
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "events.0" in errors or "events" in errors
    bad_url = admin_app.test_client().post(
        "/api/v1/webhooks",
        json={"url": "http://crm.example.org/x", "events": ["batch.completed"]},
        headers=admin_token,
    )
    assert bad_url.status_code == 422
    assert bad_url.get_json()["errors"]["url"][0].startswith("Use https")


def test_the_api_rotates_logs_and_replays(
    admin_app: Any, admin_token: dict[str, str], hook_runtime: Runtime, receiver: Receiver
) -> None:
    from verifier.store.records import ContactRecord
    from verifier.verifications import callbacks

    client = admin_app.test_client()
    body = client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["callback.requested"]},
        headers=admin_token,
    ).get_json()
    eid = body["id"]
    rotated = client.post(f"/api/v1/webhooks/{eid}/rotate-secret", json={}, headers=admin_token)
    assert rotated.status_code == 200
    new_secret = rotated.get_json()["secret"]
    callbacks.request_callback(hook_runtime, ContactRecord(phone="555-201-3344"), name="Zelpha")
    assert deliver_endpoint(hook_runtime, eid) == 1
    got = receiver.requests[0]
    Webhook(new_secret).verify(got.body, got.headers)
    Webhook(body["secret"]).verify(got.body, got.headers)  # the overlap
    assert "555-201-3344" not in got.body and "Zelpha" not in got.body

    log = client.get(f"/api/v1/webhooks/{eid}/deliveries", headers=admin_token).get_json()
    assert [(d["event"], d["status"], d["response_code"]) for d in log] == [
        ("callback.requested", "delivered", 200)
    ]
    replay = client.post(
        f"/api/v1/webhooks/{eid}/deliveries/{log[0]['id']}/replay", json={}, headers=admin_token
    )
    assert replay.status_code == 202
    since = client.post(
        f"/api/v1/webhooks/{eid}/replay",
        json={"since": "2000-01-01T00:00:00Z"},
        headers=admin_token,
    )
    assert since.get_json() == {"replayed": 1}
    disabled = client.post(f"/api/v1/webhooks/{eid}/disable", json={}, headers=admin_token)
    assert disabled.get_json()["enabled"] is False
    assert audited(hook_runtime, eid) == [
        "webhook_added",
        "webhook_rotated",
        "webhook_replayed",
        "webhook_replayed",
        "webhook_disabled",
    ]


def _admin_client(admin_app: Any, runtime: Runtime) -> tuple[Any, Account]:
    account = make_account(runtime, "admin")
    client = admin_app.test_client()
    assert sign_in(client, account).status_code == 302
    return client, account


def test_the_console_shows_a_new_secret_once(
    admin_app: Any, hook_runtime: Runtime, receiver: Receiver
) -> None:
    client, _ = _admin_client(admin_app, hook_runtime)
    page = client.get("/console/webhooks")
    assert page.status_code == 200
    added = client.post(
        "/console/webhooks",
        data={
            "csrf_token": csrf_of(page),
            "action": "add",
            "url": receiver.url,
            "events": ["verification.completed", "batch.completed"],
        },
    )
    assert added.status_code == 200
    found = re.search(rb'<code id="new-secret">(whsec_[^<]+)</code>', added.data)
    assert found is not None
    again = client.get("/console/webhooks")
    assert found.group(1) not in again.data
    assert receiver.url.encode() in again.data


def test_admins_are_told_in_the_console_when_an_endpoint_was_disabled(
    admin_app: Any, hook_runtime: Runtime
) -> None:
    created = endpoints.add(
        hook_runtime, "https://crm.example.org/hooks", ["batch.completed"], created_by="a"
    )
    endpoints.set_enabled(
        hook_runtime, created.endpoint["id"], False, "failing for 24 hours; last: http_500"
    )
    client, _ = _admin_client(admin_app, hook_runtime)
    queue_page = client.get("/console")
    assert b"webhook endpoint(s) disabled after failing" in queue_page.data
    page = client.get("/console/webhooks")
    assert b"is disabled" in page.data and b"failing for 24 hours; last: http_500" in page.data


def test_the_cli_adds_lists_rotates_and_disables(
    admin_app: Any, hook_runtime: Runtime, receiver: Receiver
) -> None:
    runner = admin_app.test_cli_runner()
    added = runner.invoke(
        args=["webhooks", "add", receiver.url, "--events", "verification.completed,batch.completed"]
    )
    assert added.exit_code == 0, added.output
    eid = re.search(r"endpoint: (\w+)", added.output).group(1)  # type: ignore[union-attr]
    assert "secret:   whsec_" in added.output
    listed = runner.invoke(args=["webhooks", "list"])
    assert eid in listed.output and "whsec_" not in listed.output
    rotated = runner.invoke(args=["webhooks", "rotate-secret", eid, "--overlap-hours", "2"])
    assert rotated.exit_code == 0 and "secret: whsec_" in rotated.output
    assert runner.invoke(args=["webhooks", "disable", eid]).exit_code == 0
    assert "disabled" in runner.invoke(args=["webhooks", "list"]).output
    wrong = runner.invoke(args=["webhooks", "add", receiver.url, "--events", "nope"])
    assert wrong.exit_code != 0 and "unknown: nope" in wrong.output
    assert audited(hook_runtime, eid) == ["webhook_added", "webhook_rotated", "webhook_disabled"]


def test_the_openapi_document_describes_webhooks_and_the_fhir_export(admin_app: Any) -> None:
    spec = admin_app.test_client().get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in (
        "/api/v1/webhooks",
        "/api/v1/webhooks/{endpoint_id}/rotate-secret",
        "/api/v1/webhooks/{endpoint_id}/deliveries",
        "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay",
        "/api/v1/webhooks/{endpoint_id}/replay",
        "/api/v1/verifications/{verification_id}/fhir",
    ):
        assert path in paths, path
    created = paths["/api/v1/webhooks"]["post"]["responses"]["201"]
    assert "secret" in str(created) or "Created" in str(created)

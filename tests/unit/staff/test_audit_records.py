"""Audit rows of lists say whose records were shown (HIPAA access review), in order."""

from __future__ import annotations

import random
import re
import string
from typing import Any

import pytest
from sqlalchemy import select

from tests.fakes.submissions import URL, valid_body
from tests.unit.staff.conftest import Account, csrf_of, sign_in
from verifier.store.models import AuditEvent, AuditRecord
from verifier.store.records import ContactRecord
from verifier.verifications.callbacks import request_callback
from verifier.verifications.check import run_check


def last_event(runtime: Any, action: str) -> tuple[AuditEvent, list[str]]:
    with runtime.db.session() as session:
        event = (
            session.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
            )
            .scalars()
            .first()
        )
        assert event is not None
        shown = (
            session.execute(
                select(AuditRecord.record_id)
                .where(AuditRecord.event_id == event.id)
                .order_by(AuditRecord.position)
            )
            .scalars()
            .all()
        )
        session.expunge(event)
        return event, list(shown)


@pytest.fixture
def name() -> str:
    """A last name no other test uses (the session database is shared)."""
    return "Q" + "".join(random.choices(string.ascii_lowercase, k=12))


@pytest.fixture
def three(client: Any, runtime: Any, name: str) -> list[str]:
    """Three verifications of that last name."""
    ids = []
    for first in ("Ann", "Bea", "Cyd"):
        body = valid_body()
        body["member"] |= {"first_name": first, "last_name": name}
        ids.append(client.post(URL, json=body).get_json()["id"])
    return ids


def test_an_api_search_row_lists_the_verifications_returned(
    client: Any, runtime: Any, bearer: dict[str, str], three: list[str], name: str
) -> None:
    client.post(f"{URL}/search", json={"q": name, "per_page": 2}, headers=bearer)
    event, shown = last_event(runtime, "search")
    assert event.object_id == "results:3"
    assert len(shown) == 2 and set(shown) < set(three)  # the page shown, not every match


def test_an_api_export_row_lists_every_row_of_the_file(
    client: Any, runtime: Any, bearer: dict[str, str], three: list[str], name: str
) -> None:
    client.post(f"{URL}/export.csv", json={"q": name}, headers=bearer)
    event, shown = last_event(runtime, "export")
    assert event.object_id == "rows:3"
    assert sorted(shown) == sorted(three)


def test_a_console_export_row_lists_every_row_of_the_file(
    signed_in: Any, runtime: Any, three: list[str], name: str
) -> None:
    page = signed_in.get("/console/search")
    signed_in.post("/console/export.csv", data={"q": name, "csrf_token": csrf_of(page)})
    assert sorted(last_event(runtime, "export")[1]) == sorted(three)


def test_the_work_queue_row_lists_what_the_queue_showed(
    signed_in: Any, runtime: Any, three: list[str]
) -> None:
    for verification_id in three:
        run_check(runtime, verification_id)
    page = signed_in.get("/console").get_data(as_text=True)
    event, shown = last_event(runtime, "search")
    assert event.object_id.startswith("queue:")
    listed = set(re.findall(r"/console/verifications/([0-9a-f]{32})", page))
    assert shown and set(shown) == listed  # exactly the rows the queue put on the page


def test_the_callbacks_row_lists_the_requests_shown(signed_in: Any, runtime: Any) -> None:
    request_id = request_callback(
        runtime, ContactRecord(phone="555-777-1212", callback_requested=True), name="Ana"
    )
    signed_in.get("/console/callbacks")
    event, shown = last_event(runtime, "view")
    assert event.object_type == "callback_request"
    assert request_id in shown


def test_viewing_the_audit_log_is_itself_audited(app: Any, runtime: Any, admin: Account) -> None:
    client = app.test_client()
    assert sign_in(client, admin).status_code == 302
    assert client.get("/console/audit").status_code == 200
    event, shown = last_event(runtime, "audit_viewed")
    assert event.actor == admin.email
    assert len(shown) == int((event.object_id or "rows:0").removeprefix("rows:")) > 0


def test_a_client_request_id_is_not_stored_as_the_audit_rows_request_id(
    client: Any, runtime: Any, bearer: dict[str, str]
) -> None:
    forged = "a" * 32
    response = client.post(
        f"{URL}/search", json={"q": "Nobody"}, headers=bearer | {"X-Request-Id": forged}
    )
    event, _ = last_event(runtime, "search")
    assert event.request_id != forged
    assert event.request_id == response.headers["X-Request-Id"]

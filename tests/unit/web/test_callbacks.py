"""A call back asked for on its own: stored sealed, listed for staff without the contact."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.unit.web.conftest import error_text
from verifier import service
from verifier.store.models import CallbackRequest


def test_a_callback_only_request_is_stored_sealed(visitor: Any, runtime: Any) -> None:
    token = visitor.token()
    response = visitor.post("/verify/callback", data={
        "csrf_token": token, "name": "Robin", "phone": "555-777-1212", "best_time": "evening",
    })
    assert response.status_code == 201
    assert "We will call you soon." in response.get_data(as_text=True)
    with runtime.db.session() as session:
        row = session.execute(
            select(CallbackRequest).order_by(CallbackRequest.created_at.desc())
        ).scalars().first()
        assert row is not None
        request_id, sealed = row.id, row.contact_enc
    assert "555-777-1212" not in sealed and "Robin" not in sealed
    name, contact = service.callback_contact(runtime, request_id)  # type: ignore[misc]
    assert (name, contact.phone, contact.best_time) == ("Robin", "555-777-1212", "evening")
    listed = {item.id: item for item in service.list_callback_requests(runtime)}
    assert listed[request_id].status == "new" and listed[request_id].kind == "callback"


def test_a_callback_needs_a_phone_or_an_email(visitor: Any) -> None:
    response = visitor.post("/verify/callback", data={"csrf_token": visitor.token()})
    assert response.status_code == 422
    assert "phone number or an email" in error_text(response.get_data(as_text=True), "phone")


def test_a_callback_form_without_the_csrf_token_is_refused(visitor: Any) -> None:
    visitor.get("/verify/callback")
    response = visitor.post("/verify/callback", data={"phone": "555-777-1212"})
    assert response.status_code == 400


def test_the_page_script_asks_for_a_callback_as_json(visitor: Any) -> None:
    response = visitor.post("/verify/callback", json={"phone": "555-777-1212"})
    assert response.status_code == 201
    assert response.get_json() == {"status": "received"}


def test_a_callback_ticked_on_the_form_is_listed_with_its_verification(
    client: Any, runtime: Any
) -> None:
    from tests.unit.api.test_intake import valid_body

    submitted = client.post("/api/v1/verifications", json=valid_body()).get_json()
    listed = {item.id: item for item in service.list_callback_requests(runtime)}
    assert listed[submitted["id"]].kind == "verification"

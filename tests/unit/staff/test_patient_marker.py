"""Became a patient: staff mark a verification's member as admitted (API and console),
idempotently, with who and when recorded, an undo, and an audit row for each."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, true

from tests.fakes.submissions import URL, valid_body
from tests.unit.staff.conftest import Account, csrf_of
from verifier.store.models import AuditEvent
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.maintenance import purge_one


@pytest.fixture
def submitted(client: Any) -> str:
    verification_id: str = client.post(URL, json=valid_body()).get_json()["id"]
    return verification_id


def audit_of(runtime: Any, verification_id: str) -> list[tuple[str, str, str]]:
    with runtime.db.session() as session:
        events = session.execute(
            select(AuditEvent)
            .where(AuditEvent.object_id == verification_id, AuditEvent.action.like("patient%"))
            .order_by(AuditEvent.id)
        ).scalars()
        return [(e.actor, e.action, e.outcome) for e in events]


def test_marking_records_who_and_when_and_shows_in_the_staff_view(
    client: Any, bearer: Any, submitted: str, coordinator: Account
) -> None:
    before = client.get(f"{URL}/{submitted}", headers=bearer).get_json()
    assert (before["became_patient"], before["became_patient_at"]) == (False, None)

    response = client.post(f"{URL}/{submitted}/patient", json={}, headers=bearer)
    assert response.status_code == 200
    marked = response.get_json()
    assert marked["became_patient"] is True and marked["became_patient_by"] == coordinator.email
    view = client.get(f"{URL}/{submitted}", headers=bearer).get_json()
    assert view["became_patient"] is True
    assert (view["became_patient_at"], view["became_patient_by"]) == (
        marked["became_patient_at"],
        coordinator.email,
    )


def test_marking_twice_keeps_the_first_mark(client: Any, bearer: Any, submitted: str) -> None:
    first = client.post(f"{URL}/{submitted}/patient", json={}, headers=bearer).get_json()
    second = client.post(f"{URL}/{submitted}/patient", json={}, headers=bearer)
    assert second.status_code == 200 and second.get_json() == first


def test_undo_clears_the_mark(client: Any, bearer: Any, submitted: str) -> None:
    client.post(f"{URL}/{submitted}/patient", json={}, headers=bearer)
    response = client.delete(f"{URL}/{submitted}/patient", headers=bearer)
    assert response.status_code == 200
    assert response.get_json() == {
        "id": submitted,
        "became_patient": False,
        "became_patient_at": None,
        "became_patient_by": None,
    }
    assert client.get(f"{URL}/{submitted}", headers=bearer).get_json()["became_patient"] is False
    assert client.delete(f"{URL}/{submitted}/patient", headers=bearer).status_code == 200


def test_every_mark_and_undo_is_audited(
    client: Any, runtime: Any, bearer: Any, submitted: str, coordinator: Account
) -> None:
    client.post(f"{URL}/{submitted}/patient", json={}, headers=bearer)
    client.post(f"{URL}/{submitted}/patient", json={}, headers=bearer)
    client.delete(f"{URL}/{submitted}/patient", headers=bearer)
    assert audit_of(runtime, submitted) == [
        (coordinator.email, "patient_marked", "ok"),
        (coordinator.email, "patient_marked", "unchanged"),
        (coordinator.email, "patient_unmarked", "ok"),
    ]


@pytest.mark.parametrize("method", ["post", "delete"])
def test_marking_an_unknown_id_is_404(client: Any, bearer: Any, method: str) -> None:
    kwargs: dict[str, Any] = {"json": {}} if method == "post" else {}
    response = getattr(client, method)(f"{URL}/{'0' * 32}/patient", headers=bearer, **kwargs)
    assert response.status_code == 404


def test_a_purged_verification_cannot_be_marked(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    assert purge_one(runtime, submitted, utcnow(), true())
    response = client.post(f"{URL}/{submitted}/patient", json={}, headers=bearer)
    assert response.status_code == 409
    assert audit_of(runtime, submitted)[-1][1:] == ("patient_marked", "erased")


def test_the_marker_is_for_staff_only(client: Any, submitted: str) -> None:
    assert client.post(f"{URL}/{submitted}/patient", json={}).status_code == 401
    assert client.delete(f"{URL}/{submitted}/patient").status_code == 401


def test_the_console_detail_page_shows_and_sets_the_marker(
    signed_in: Any, runtime: Any, submitted: str, coordinator: Account
) -> None:
    page = signed_in.get(f"/console/verifications/{submitted}")
    assert b'<dd id="became-patient">no</dd>' in page.data
    assert b"Mark as became a patient" in page.data
    response = signed_in.post(
        f"/console/verifications/{submitted}/patient",
        data={"csrf_token": csrf_of(page), "became_patient": "yes"},
    )
    assert response.status_code == 302
    page = signed_in.get(f"/console/verifications/{submitted}")
    assert f"by {coordinator.email}".encode() in page.data
    assert b"Undo: not a patient" in page.data
    signed_in.post(
        f"/console/verifications/{submitted}/patient",
        data={"csrf_token": csrf_of(page), "became_patient": "no"},
    )
    page = signed_in.get(f"/console/verifications/{submitted}")
    assert b'<dd id="became-patient">no</dd>' in page.data
    assert [action for _, action, _ in audit_of(runtime, submitted)] == [
        "patient_marked",
        "patient_unmarked",
    ]


def test_the_console_marker_needs_the_forms_csrf_token(signed_in: Any, submitted: str) -> None:
    response = signed_in.post(
        f"/console/verifications/{submitted}/patient", data={"became_patient": "yes"}
    )
    assert response.status_code == 403


def test_the_console_marker_refuses_an_unknown_choice(signed_in: Any, submitted: str) -> None:
    page = signed_in.get(f"/console/verifications/{submitted}")
    response = signed_in.post(
        f"/console/verifications/{submitted}/patient",
        data={"csrf_token": csrf_of(page), "became_patient": "maybe"},
    )
    assert response.status_code == 400

"""The staff API: search by blind index, the full view, re-run, notes, manual entries, CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import true

from tests.fakes.submissions import URL, valid_body
from verifier.verifications.check import run_check
from verifier.verifications.lifecycle import utcnow


@pytest.mark.parametrize(
    "q",
    [
        "{last}",
        "{last_lower}",
        "ORSOLYA {last}",
        "{member_id}",
        "1971-02-03 {last}",
        "02/03/1971 {last}",
    ],
)
def test_search_finds_by_name_member_id_or_birth_date(
    client: Any, bearer: Any, submitted: str, member: dict[str, str], q: str
) -> None:
    q = q.format(
        last=member["last_name"],
        last_lower=member["last_name"].lower(),
        member_id=member["member_id"],
    )
    response = client.post(f"{URL}/search", json={"q": q}, headers=bearer)
    assert response.status_code == 200
    assert submitted in [item["id"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("q", ["Vantonger", "1971-02-04", "SBX-ACTIVE", "2023-02-30"])
def test_search_is_exact_not_partial(client: Any, bearer: Any, submitted: str, q: str) -> None:
    response = client.post(f"{URL}/search", json={"q": q, "per_page": 200}, headers=bearer)
    assert submitted not in [item["id"] for item in response.get_json()["items"]]


def submitted_name(client: Any, bearer: Any, verification_id: str) -> str:
    data = client.get(f"{URL}/{verification_id}", headers=bearer).get_json()
    return str(data["member"]["last_name"])


def test_search_filters_by_status_and_payer(client: Any, bearer: Any, submitted: str) -> None:
    name = submitted_name(client, bearer, submitted)
    hit = client.post(
        f"{URL}/search",
        json={"status": "completed", "payer_id": "SANDBOX", "q": name},
        headers=bearer,
    )
    miss = client.post(
        f"{URL}/search",
        json={"status": "failed", "q": submitted_name(client, bearer, submitted)},
        headers=bearer,
    )
    assert submitted in [item["id"] for item in hit.get_json()["items"]]
    assert miss.get_json()["items"] == []


@pytest.mark.parametrize("path", ["", "/export.csv"])
def test_search_terms_in_the_url_are_refused_without_echoing_them(
    client: Any, bearer: Any, path: str
) -> None:
    response = client.get(URL + path, query_string={"q": "Vantongeren"}, headers=bearer)
    assert response.status_code == 422
    messages = response.get_json()["errors"]["q"]
    assert "POST /api/v1/verifications/search" in messages[0]
    assert "Vantongeren" not in response.get_data(as_text=True)


def test_search_pages(client: Any, bearer: Any, submitted: str) -> None:
    page = client.get(URL, query_string={"per_page": 1, "page": 1}, headers=bearer).get_json()
    assert len(page["items"]) == 1 and page["total"] >= 1 and page["per_page"] == 1


def test_staff_see_member_summary_attempts_and_notes(
    client: Any, bearer: Any, submitted: str
) -> None:
    data = client.get(f"{URL}/{submitted}", headers=bearer).get_json()
    assert data["member"]["last_name"].startswith("VANTONGEREN")
    assert data["summary"]["coverage"]["status"] == "active"
    assert data["attempts"][0]["adapter"] == "sandbox"
    assert data["attempts"][0]["request"].startswith("ISA")
    assert data["notes"] == []


def test_rerun_adds_an_attempt_and_keeps_history(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    response = client.post(
        f"{URL}/{submitted}/rerun", json={"level_of_care": "php"}, headers=bearer
    )
    assert response.status_code == 202
    run_check(runtime, submitted)
    data = client.get(f"{URL}/{submitted}", headers=bearer).get_json()
    assert [a["number"] for a in data["attempts"]] == [2, 1]
    assert set(data["summaries_by_level"]) == {"iop", "php"}


def test_notes_are_kept_newest_first(client: Any, bearer: Any, submitted: str) -> None:
    for text in ("Called payer, ref 123", "Second call"):
        assert (
            client.post(f"{URL}/{submitted}/notes", json={"text": text}, headers=bearer).status_code
            == 201
        )
    notes = client.get(f"{URL}/{submitted}", headers=bearer).get_json()["notes"]
    assert [n["text"] for n in notes] == ["Second call", "Called payer, ref 123"]


def test_a_manual_verification_is_marked_manual(client: Any, bearer: Any, submitted: str) -> None:
    body = {
        "reference_number": "REF-9",
        "rep_name": "Dana",
        "level_of_care": "iop",
        "coverage_status": "active",
        "in_network_copay": "25.00",
        "preauthorization_required": True,
    }
    assert client.post(f"{URL}/{submitted}/manual", json=body, headers=bearer).status_code == 201
    data = client.get(f"{URL}/{submitted}", headers=bearer).get_json()
    assert data["attempts"][0]["adapter"] == "manual"
    assert data["attempts"][0]["summary"]["source"] == "manual"
    assert data["reason"] == "manual"


def test_a_manual_entry_with_a_bad_amount_is_a_field_error(
    client: Any, bearer: Any, submitted: str
) -> None:
    body = {
        "reference_number": "R",
        "rep_name": "D",
        "level_of_care": "iop",
        "coverage_status": "active",
        "in_network_copay": "twenty",
    }
    response = client.post(f"{URL}/{submitted}/manual", json=body, headers=bearer)
    assert response.status_code == 422
    assert "in_network_copay" in response.get_json()["errors"]


def test_review_marks_who_reviewed(
    client: Any, bearer: Any, submitted: str, coordinator: Any
) -> None:
    assert client.post(f"{URL}/{submitted}/review", json={}, headers=bearer).status_code == 200
    assert (
        client.get(f"{URL}/{submitted}", headers=bearer).get_json()["reviewed_by"]
        == coordinator.email
    )


def test_csv_export_has_a_header_and_the_rows(
    client: Any, bearer: Any, submitted: str, member: dict[str, str]
) -> None:
    response = client.post(f"{URL}/export.csv", json={"q": member["last_name"]}, headers=bearer)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["id"] for row in rows] == [submitted]


def test_an_unknown_id_is_404_for_staff(client: Any, bearer: Any) -> None:
    assert client.get(f"{URL}/{'0' * 32}", headers=bearer).status_code == 404


def test_the_visitor_token_still_gives_only_the_visitor_view(client: Any) -> None:
    data = client.post(URL, json=valid_body()).get_json()
    view = client.get(data["status_url"], headers={"X-Status-Token": data["token"]}).get_json()
    assert "member" not in view


@pytest.mark.parametrize("action", ["rerun", "notes", "review"])
def test_an_action_on_an_unknown_id_is_404(client: Any, bearer: Any, action: str) -> None:
    body = {"text": "x"} if action == "notes" else {}
    response = client.post(f"{URL}/{'0' * 32}/{action}", json=body, headers=bearer)
    assert response.status_code == 404


def test_a_purged_verification_shows_no_personal_details(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    from verifier.verifications.maintenance import purge_one

    assert purge_one(runtime, submitted, utcnow(), true())
    data = client.get(f"{URL}/{submitted}", headers=bearer).get_json()
    assert data["member"] is None and data["contact"] is None and data["purged_at"]
    listed = client.get(URL, query_string={"status": "completed", "per_page": 200}, headers=bearer)
    row = next(item for item in listed.get_json()["items"] if item["id"] == submitted)
    assert row["member_name"] == "(erased)" and row["purged"] is True


def test_the_console_shows_a_purged_verification_as_erased(
    signed_in: Any, runtime: Any, submitted: str
) -> None:
    from verifier.verifications.maintenance import purge_one

    purge_one(runtime, submitted, utcnow(), true())
    page = signed_in.get(f"/console/verifications/{submitted}")
    assert page.status_code == 200
    assert b"Personal details were erased" in page.data


def test_one_unreadable_row_does_not_take_the_list_down(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    from sqlalchemy import update

    from verifier.store.models import Verification
    from verifier.store.records import seal

    with runtime.db.session() as session:
        session.execute(
            update(Verification)
            .where(Verification.id == submitted)
            .values(member_enc=seal(runtime.keyring, "member", submitted, "{}"))
        )
    listed = client.get(URL, query_string={"status": "completed", "per_page": 200}, headers=bearer)
    assert listed.status_code == 200
    row = next(item for item in listed.get_json()["items"] if item["id"] == submitted)
    assert row["member_name"] == "(unreadable)"

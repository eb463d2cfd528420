"""The console's search: terms only in a POST body, and any page number is safe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.submissions import URL, valid_body
from tests.unit.staff.conftest import csrf_of


@pytest.fixture
def submitted(client: Any) -> str:
    body = valid_body()
    body["member"] |= {"last_name": "Wexcombe"}
    verification_id: str = client.post(URL, json=body).get_json()["id"]
    return verification_id


def test_the_search_form_posts_its_terms(signed_in: Any, submitted: str) -> None:
    form = signed_in.get("/console/search")
    assert b'<form method="post" action="/console/search"' in form.data
    found = signed_in.post("/console/search", data={"q": "Wexcombe", "csrf_token": csrf_of(form)})
    assert found.status_code == 200
    assert submitted.encode() in found.data


def test_search_terms_in_the_address_are_refused(signed_in: Any) -> None:
    response = signed_in.get("/console/search", query_string={"q": "Wexcombe"})
    assert response.status_code == 400
    assert b"Wexcombe" not in response.data


def test_a_search_post_without_the_form_token_is_refused(signed_in: Any) -> None:
    assert signed_in.post("/console/search", data={"q": "Wexcombe"}).status_code == 403


def test_the_export_posts_its_terms_too(signed_in: Any, submitted: str) -> None:
    form = signed_in.get("/console/search")
    response = signed_in.post(
        "/console/export.csv", data={"q": "Wexcombe", "csrf_token": csrf_of(form)}
    )
    assert response.mimetype == "text/csv"
    assert submitted in response.get_data(as_text=True)
    assert signed_in.get("/console/export.csv", query_string={"q": "Wexcombe"}).status_code == 400


@pytest.mark.parametrize("page", ["²", "99999999999999999999", "-3", "١٢", "0"])
def test_any_page_number_shows_a_page_not_an_error(signed_in: Any, page: str) -> None:
    assert signed_in.get("/console/search", query_string={"page": page}).status_code == 200

"""Reading a verification with its token; the payer list; health; the OpenAPI document."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.fakes.submissions import URL, valid_body


@pytest.fixture
def submitted(client: Any) -> dict[str, Any]:
    data: dict[str, Any] = client.post(URL, json=valid_body()).get_json()
    return data


def test_the_token_opens_the_visitor_view(client: Any, submitted: dict[str, Any]) -> None:
    response = client.get(submitted["status_url"], headers={"X-Status-Token": submitted["token"]})
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == submitted["id"]
    assert data["status"] == "queued"
    assert data["level_of_care"] == "iop"
    assert "member" not in data and "contact" not in data


@pytest.mark.parametrize("headers", [{}, {"X-Status-Token": "wrong"}, {"X-Status-Token": ""}])
def test_without_the_right_token_the_verification_is_not_found(
    client: Any, submitted: dict[str, Any], headers: dict[str, str]
) -> None:
    response = client.get(submitted["status_url"], headers=headers)
    assert response.status_code == 404


def test_the_token_in_the_query_string_is_not_accepted(
    client: Any, submitted: dict[str, Any]
) -> None:
    response = client.get(f"{submitted['status_url']}?token={submitted['token']}")
    assert response.status_code == 404


def test_one_visitors_token_does_not_open_another_verification(client: Any) -> None:
    first = client.post(URL, json=valid_body()).get_json()
    second = client.post(URL, json=valid_body()).get_json()
    response = client.get(first["status_url"], headers={"X-Status-Token": second["token"]})
    assert response.status_code == 404


def test_an_unknown_id_is_404(client: Any) -> None:
    response = client.get(f"{URL}/doesnotexist", headers={"X-Status-Token": "x"})
    assert response.status_code == 404


def test_an_expired_token_no_longer_opens_the_view(make_app: Any, settings: Any) -> None:
    client = make_app(dataclasses.replace(settings, status_token_ttl=-1)).test_client()
    data = client.post(URL, json=valid_body()).get_json()
    response = client.get(data["status_url"], headers={"X-Status-Token": data["token"]})
    assert response.status_code == 404


def test_responses_are_not_cached_and_not_sniffed(client: Any, submitted: dict[str, Any]) -> None:
    response = client.get(submitted["status_url"], headers={"X-Status-Token": submitted["token"]})
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_payers_are_listed_for_the_picker(client: Any) -> None:
    response = client.get("/api/v1/payers")
    assert response.status_code == 200
    ids = [payer["id"] for payer in response.get_json()]
    assert "SANDBOX" in ids
    assert all("endpoint" not in payer for payer in response.get_json())


def test_payers_can_be_searched_by_alias(client: Any) -> None:
    response = client.get("/api/v1/payers", query_string={"q": "sandbox oon"})
    assert [payer["id"] for payer in response.get_json()] == ["SANDBOX-OON"]


def test_healthz_answers_when_the_app_is_up(client: Any) -> None:
    assert client.get("/healthz").status_code == 200


def test_readyz_checks_database_and_redis(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_503_when_redis_does_not_answer(make_app: Any, settings: Any) -> None:
    broken = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    response = make_app(broken).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "unavailable"


def test_submission_still_answers_202_when_redis_is_down(make_app: Any, settings: Any) -> None:
    """The row is the source of truth; the reconciler enqueues it when Redis is back."""
    broken = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    response = make_app(broken).test_client().post(URL, json=valid_body())
    assert response.status_code == 202
    assert response.get_json()["status"] == "queued"


def test_the_openapi_document_describes_the_api(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert "/api/v1/verifications" in spec["paths"]
    assert "/api/v1/verifications/{verification_id}" in spec["paths"]
    assert "/api/v1/payers" in spec["paths"]
    assert "post" in spec["paths"]["/api/v1/verifications"]


def test_the_api_docs_page_and_its_assets_are_served_locally(client: Any) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()

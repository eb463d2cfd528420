"""Every route's access, checked against the policy by walking the URL map.

A route without a policy entry fails here, so no route ships without a decision. Staff
routes refuse anonymous callers (401 for the API, the sign-in page for the console)
and admin routes refuse coordinators (403).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.staff.conftest import Account, sign_in
from verifier.staff.policy import ACCESS, ADMIN, COORDINATOR, PUBLIC, VISITOR_TOKEN

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def routes(app: Any) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & set(METHODS)):
            url = rule.rule
            for argument in rule.arguments:
                url = url.replace(f"<path:{argument}>", "missing.css")
                url = url.replace(f"<int:{argument}>", "0")
                url = url.replace(f"<string:{argument}>", "0" * 32).replace(
                    f"<{argument}>", "0" * 32
                )
            found.append((rule.endpoint, method, url))
    return found


def test_every_route_has_an_access_decision(app: Any) -> None:
    declared = set(ACCESS)
    actual = {(endpoint, method) for endpoint, method, _ in routes(app)}
    assert actual - declared == set(), "routes without a policy entry in verifier/staff/policy.py"
    assert declared - actual == set(), "policy entries for routes that no longer exist"


def test_staff_routes_refuse_anonymous_callers(app: Any) -> None:
    client = app.test_client()
    for endpoint, method, url in routes(app):
        if ACCESS.get((endpoint, method)) not in (COORDINATOR, ADMIN):
            continue
        response = client.open(url, method=method, json={} if method in ("POST", "PATCH") else None)
        if url.startswith("/console"):
            assert response.status_code == 302, (endpoint, method)
            assert "/console/login" in response.headers["Location"]
        else:
            assert response.status_code == 401, (endpoint, method, response.status_code)


def test_admin_routes_refuse_coordinators(app: Any, coordinator: Account, runtime: Any) -> None:
    from verifier.staff import accounts

    client = app.test_client()
    assert sign_in(client, coordinator).status_code == 302
    token = accounts.issue_token(runtime, coordinator.email)[1]
    for endpoint, method, url in routes(app):
        if ACCESS.get((endpoint, method)) != ADMIN:
            continue
        if url.startswith("/console"):
            response = client.open(url, method=method)
        else:
            response = app.test_client().open(
                url,
                method=method,
                headers={"Authorization": f"Bearer {token}"},
                json={} if method == "POST" else None,
            )
        assert response.status_code == 403, (endpoint, method)


def test_visitor_token_routes_show_nothing_without_the_token(app: Any) -> None:
    client = app.test_client()
    for endpoint, method, url in routes(app):
        if ACCESS.get((endpoint, method)) != VISITOR_TOKEN:
            continue
        response = client.open(url, method=method)
        assert response.status_code in (401, 404), (endpoint, method, response.status_code)


@pytest.mark.parametrize("header", ["Bearer vt_not-a-real-token", "Bearer ", "Basic dXNlcjpwdw=="])
def test_a_bad_token_gets_401_not_the_visitor_view(app: Any, header: str) -> None:
    response = app.test_client().get("/api/v1/verifications", headers={"Authorization": header})
    assert response.status_code == 401


def test_public_routes_answer_anonymous_callers(app: Any) -> None:
    client = app.test_client()
    for endpoint, method, url in routes(app):
        if ACCESS.get((endpoint, method)) != PUBLIC or method != "GET" or "static" in endpoint:
            continue
        if "assets" in url:
            continue
        response = client.get(url)
        response.close()  # file responses (widget.js) hold the file open until closed
        assert response.status_code in (200, 503), (endpoint, response.status_code)

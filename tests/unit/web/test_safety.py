"""Security headers, frame-ancestors from the widget setting, and per-address rate limits."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from config.settings import Settings
from tests.unit.api.test_intake import valid_body
from tests.unit.web.conftest import csrf_of, valid_form

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@pytest.mark.parametrize("path", ["/verify", "/verify/callback", "/api/v1/payers", "/healthz"])
def test_every_response_carries_the_security_headers(client: Any, path: str) -> None:
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == CSP
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_page_has_no_inline_script_or_style(client: Any) -> None:
    html = client.get("/verify").get_data(as_text=True)
    assert "style=" not in html and " on" + "click=" not in html
    scripts = html.count("<script")
    assert scripts == html.count('<script type="application/json"') + html.count("<script src=")


def test_the_widget_origins_setting_drives_frame_ancestors(
    settings: Settings, make_app: Callable[[Settings], Any]
) -> None:
    origins = ("https://www.example.org", "https://*.example.net")
    client = make_app(dataclasses.replace(settings, widget_origins=origins)).test_client()
    page = client.get("/verify?embed=1").headers
    assert page["Content-Security-Policy"].endswith(
        "frame-ancestors https://www.example.org https://*.example.net"
    )
    assert "X-Frame-Options" not in page
    api = client.get("/api/v1/payers").headers
    assert api["Content-Security-Policy"].endswith("frame-ancestors 'none'")


def test_widget_js_is_served_as_javascript(client: Any) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "/verify?embed=1" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_the_form_is_limited_per_address_with_retry_after(limited_app: Any, address: str) -> None:
    client = limited_app.test_client()
    env = {"REMOTE_ADDR": address}
    token = csrf_of(client.get("/verify", environ_base=env).get_data(as_text=True))
    codes = [
        client.post("/verify", data={"csrf_token": token, **valid_form()}, environ_base=env)
        for _ in range(3)
    ]
    assert [r.status_code for r in codes] == [303, 303, 429]
    assert 1 <= int(codes[-1].headers["Retry-After"]) <= 60
    assert "Too many tries" in codes[-1].get_data(as_text=True)


def test_the_submit_api_is_limited_per_address(limited_app: Any, address: str) -> None:
    client = limited_app.test_client()
    env = {"REMOTE_ADDR": address}
    codes = [
        client.post("/api/v1/verifications", json=valid_body(), environ_base=env)
        for _ in range(3)
    ]
    assert [r.status_code for r in codes] == [202, 202, 429]
    assert int(codes[-1].headers["Retry-After"]) >= 1
    assert codes[-1].get_json()["code"] == 429


def test_the_status_api_is_limited_per_address(limited_app: Any, address: str) -> None:
    client = limited_app.test_client()
    submitted = client.post("/api/v1/verifications", json=valid_body()).get_json()
    headers = {"X-Status-Token": submitted["token"]}
    env = {"REMOTE_ADDR": address}
    codes = [
        client.get(submitted["status_url"], headers=headers, environ_base=env).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_another_address_is_not_held_back(limited_app: Any, address: str) -> None:
    client = limited_app.test_client()
    env = {"REMOTE_ADDR": address}
    for _ in range(3):
        client.post("/api/v1/verifications", json=valid_body(), environ_base=env)
    other = client.post(
        "/api/v1/verifications", json=valid_body(), environ_base={"REMOTE_ADDR": "192.0.2.77"}
    )
    assert other.status_code == 202


def test_rate_limit_keys_hold_no_address(limited_app: Any, redis: Any, address: str) -> None:
    client = limited_app.test_client()
    client.post("/api/v1/verifications", json=valid_body(), environ_base={"REMOTE_ADDR": address})
    prefix = limited_app.extensions["verifier"].settings.queue_prefix
    keys = [k.decode() for k in redis.scan_iter(f"{prefix}:ratelimit:*")]
    assert keys and not any(address in key for key in keys)


def test_staff_reads_from_one_office_address_are_not_held_by_the_visitor_limit(
    limited_app: Any, runtime: Any, address: str
) -> None:
    from verifier.staff import accounts

    staff = accounts.create_user(runtime, f"office-{address}@center.example", "coordinator")
    token = accounts.issue_token(runtime, staff.staff.email)[1]
    client = limited_app.test_client()
    submitted = client.post("/api/v1/verifications", json=valid_body()).get_json()
    codes = [
        client.get(
            submitted["status_url"],
            headers={"Authorization": f"Bearer {token}"},
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        for _ in range(5)
    ]
    assert codes == [200] * 5

"""The ops routes: docs under the strict CSP, no stock OAuth page, metrics not open."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from config.settings import Settings


def test_the_docs_page_has_the_strict_csp_and_cannot_be_framed(client: Any) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert b"<script>" not in page.data  # every script is a file
    assert b'<script src="/api/v1/docs/init.js"></script>' in page.data
    init = client.get("/api/v1/docs/init.js")
    assert init.status_code == 200 and b"SwaggerUIBundle" in init.data
    init.close()


@pytest.mark.parametrize("name", ["oauth2-redirect.html", "index.html", "swagger-initializer.js"])
def test_the_bundles_other_pages_are_not_served(client: Any, name: str) -> None:
    assert client.get(f"/api/v1/docs/assets/{name}").status_code == 404


def test_metrics_without_a_token_answer_loopback_only(client: Any) -> None:
    local = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert local.status_code == 200
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert remote.status_code == 401
    assert b"VERIFIER_METRICS_TOKEN" in remote.data


def test_metrics_with_a_token_need_it_from_anywhere(make_app: Any, settings: Settings) -> None:
    app = make_app(dataclasses.replace(settings, metrics_token="m" * 24))
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    bearer = {"Authorization": "Bearer " + "m" * 24}
    answered = client.get("/metrics", headers=bearer, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert answered.status_code == 200

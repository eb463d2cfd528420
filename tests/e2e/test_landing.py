"""The site root says what this is and where to go (not a JSON 404)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.conftest import LiveServer
from tests.e2e.conftest import screenshot


def test_the_landing_page_links_to_verify_online_the_console_and_the_api_docs(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Insurance benefit checks")).to_be_visible()
    expect(page.get_by_role("link", name="Staff console")).to_have_attribute("href", "/console")
    expect(page.get_by_role("link", name="API documentation")).to_have_attribute(
        "href", "/api/v1/docs"
    )
    screenshot(page, "landing-en")
    page.get_by_role("link", name="Español").click()
    spanish = page.get_by_role("heading", name="Verificación de beneficios del seguro")
    expect(spanish).to_be_visible()
    screenshot(page, "landing-es")
    page.get_by_role("link", name="Verifique los beneficios de su seguro").click()
    form = page.get_by_role("heading", name="Verifique los beneficios de su seguro")
    expect(form).to_be_visible()


def test_links_the_facility_does_not_use_are_left_out(
    page: Any, settings: Any, make_app: Callable[[Any], Any], tmp_path: Path
) -> None:
    profile = Path(settings.facility_file).read_text().replace(
        "[site]\nconsole = true\napi_docs = true", "[site]\nconsole = false\napi_docs = false"
    )
    (tmp_path / "facility.toml").write_text(profile)
    app = make_app(dataclasses.replace(settings, facility_file=tmp_path / "facility.toml"))
    with LiveServer(app) as server:
        page.goto(f"{server.url}/")
        expect(page.get_by_role("link", name="Check your insurance benefits")).to_be_visible()
        expect(page.get_by_role("link", name="Staff console")).to_have_count(0)
        expect(page.get_by_role("link", name="API documentation")).to_have_count(0)

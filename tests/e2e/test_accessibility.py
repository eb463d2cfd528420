"""WCAG 2.1 A and AA, measured by axe-core (4.12, bundled by axe-playwright-python) in real
Chromium on every page a visitor or a coordinator reads: no violation is allowed.

axe checks what a machine can (names, labels, contrast, landmarks, language, tables,
focusable controls); keyboard order and focus after an action stay in the flow tests.
Each page is audited at the width it is used at: the visitor's at phone width, the
console's at 1280 px and 1920 px (the two screens coordinators use; issue 16 item 7).
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import LiveServer, WorkerProcess
from tests.e2e.conftest import SCREENSHOTS, fill_form, sign_in_coordinator
from tests.unit.webhooks.conftest import submit
from verifier.verifications.check import run_check

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
CONSOLE_WIDTH = {"width": 1280, "height": 900}
CONSOLE_WIDTHS = (1280, 1920)


def violations(page: Any) -> list[str]:
    """Each violation as a person would fix it: rule, what it asks, where."""
    found = Axe().run(page, options=WCAG).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in found
    ]


@pytest.mark.parametrize("path", ["/", "/verify", "/verify?lang=es", "/verify/callback"])
def test_the_visitor_pages_have_no_wcag_violations(
    page: Any, live_server: LiveServer, path: str
) -> None:
    page.goto(f"{live_server.url}{path}")
    assert violations(page) == []


def test_a_result_page_has_no_wcag_violations(
    page: Any, live_server: LiveServer, worker: WorkerProcess
) -> None:
    page.goto(f"{live_server.url}/verify")
    fill_form(page, "SBX-ACTIVE-7101")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.locator("#result")).to_contain_text("IOP", timeout=30_000)
    assert violations(page) == []


def test_the_console_sign_in_page_has_no_wcag_violations(
    page: Any, live_server: LiveServer
) -> None:
    page.set_viewport_size(CONSOLE_WIDTH)
    page.goto(f"{live_server.url}/console/login")
    assert violations(page) == []


@pytest.mark.parametrize("width", CONSOLE_WIDTHS)
def test_the_console_pages_a_coordinator_reads_all_day_have_no_wcag_violations(
    page: Any, live_server: LiveServer, runtime: Any, width: int
) -> None:
    carved = submit(runtime, "SBX-CARVEOUT-7102")
    run_check(runtime, carved)
    by_place = submit(runtime, "SBX-PLACES-7103")
    run_check(runtime, by_place)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_coordinator(page, live_server.url, runtime)
    found: dict[str, list[str]] = {}
    for name, path in (
        ("work queue", "/console"),
        ("carve-out detail", f"/console/verifications/{carved}"),
        ("by-place detail", f"/console/verifications/{by_place}"),
        ("search", "/console/search"),
        ("call-backs", "/console/callbacks"),
    ):
        page.goto(f"{live_server.url}{path}")
        found[name] = violations(page)
        if name == "by-place detail":
            expect(page.locator("#grid-iop-plan table.places")).to_be_visible()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"console-detail-by-place-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
    assert found == {name: [] for name in found}


def test_a_console_error_page_has_no_wcag_violations(
    page: Any, live_server: LiveServer, runtime: Any
) -> None:
    page.set_viewport_size(CONSOLE_WIDTH)
    sign_in_coordinator(page, live_server.url, runtime)
    page.goto(f"{live_server.url}/console/verifications/{'0' * 32}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations(page) == []


def test_the_audit_finds_what_it_is_for(page: Any) -> None:
    """Against a vacuous audit (a wrong tag list runs no rule): a known-bad page fails."""
    page.set_content(
        "<html lang='en'><head><title>bad</title></head><body><main>"
        "<input type='text'><p style='color:#bbb;background:#fff'>faint words</p>"
        "</main></body></html>"
    )
    found = " ".join(violations(page))
    assert "label (critical)" in found
    assert "color-contrast (serious)" in found

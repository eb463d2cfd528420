"""An intake coordinator's day in a real browser: sign in with TOTP, search, open, re-run."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.conftest import LiveServer, WorkerProcess, wait_until
from tests.e2e.conftest import DESKTOP, first_sign_in, screenshot
from tests.fakes.submissions import URL, valid_body
from verifier.staff import accounts


def test_a_coordinator_signs_in_finds_a_verification_and_reruns_it(
    page: Any, live_server: LiveServer, worker: WorkerProcess, runtime: Any, http: Any
) -> None:
    email = f"coord-{uuid.uuid4().hex[:6]}@center.example"
    account = accounts.create_user(runtime, email, "coordinator")
    last_name = "Ferreira" + "".join(chr(65 + int(c, 16)) for c in uuid.uuid4().hex[:6])
    body = valid_body()
    body["member"] |= {"last_name": last_name, "member_id": "SBX-ACTIVE-CONSOLE"}
    submitted = http.post(f"{live_server.url}{URL}", json=body, timeout=5).json()
    wait_until(
        lambda: (
            http.get(
                f"{live_server.url}{submitted['status_url']}",
                headers={"X-Status-Token": submitted["token"]},
                timeout=5,
            ).json()["status"]
            == "completed"
        )
    )

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/console")
    expect(page).to_have_url(f"{live_server.url}/console/login?next=/console")
    first_sign_in(page, email, account)  # the one-time password is traded for their own

    page.get_by_role("link", name="Search").click()
    page.get_by_label("Name, member id or date of birth (exact)").fill(last_name)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 found.")).to_be_visible()
    page.get_by_role("link", name=f"ZELPHA {last_name.upper()}").click()
    expect(page.get_by_role("heading", name=f"ZELPHA {last_name.upper()}")).to_be_visible()
    expect(page.locator("article.attempt")).to_have_count(1)

    detail = page.url
    # The re-run posts and redirects back; polling before that lands reloads a page mid-navigation.
    with page.expect_navigation(url=detail):
        page.get_by_role("button", name="Re-run check").click()

    def second_attempt_done() -> bool:
        page.goto(detail)
        attempts = page.locator("article.attempt")
        return attempts.count() == 2 and "completed" in attempts.first.inner_text()

    wait_until(second_attempt_done, timeout=30, interval=1)
    expect(page.locator("article.attempt").first).to_contain_text("Attempt 2")
    newest = page.locator("article.attempt").first
    newest.get_by_text("Response received").click()
    expect(newest.locator("details").nth(1).locator("table.x12")).to_contain_text(
        "1=Active Coverage"
    )
    screenshot(page, "console-detail")

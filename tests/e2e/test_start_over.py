"""Start over, with and without JavaScript: a new check never brings back the old result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.conftest import LiveServer, WorkerProcess
from tests.e2e.conftest import fill_form, fill_plain, screenshot

NOT_FOUND = "We could not find your coverage yet"


def test_with_javascript_fix_the_details_keeps_the_entries_but_the_member_id(
    page: Any, live_server: LiveServer, worker: WorkerProcess
) -> None:
    page.goto(f"{live_server.url}/verify")
    fill_form(page, "SBX-NOTFOUND-5001")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name=NOT_FOUND)).to_be_visible()
    page.get_by_role("button", name="Check the details and try again").click()
    member_id = page.get_by_label("Member ID", exact=True)
    expect(member_id).to_be_focused()
    expect(member_id).to_have_value("")
    expect(page.get_by_label("First name", exact=True)).to_have_value("Zelpha")
    expect(page.get_by_label("Date of birth", exact=True)).to_have_value("1988-04-12")
    expect(page.locator("#verify-form [name='contact.phone']")).to_have_value("555-201-3344")
    expect(page.locator("#result")).to_be_hidden()
    member_id.fill("SBX-ACTIVE-5001")
    page.locator("#f-consent").check()
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()


def test_with_javascript_check_another_insurance_opens_an_empty_form_even_on_reopening(
    page: Any, live_server: LiveServer, worker: WorkerProcess
) -> None:
    page.goto(f"{live_server.url}/verify")
    fill_form(page, "SBX-ACTIVE-5002")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    page.get_by_role("link", name="Check another insurance").click()
    expect(page.get_by_role("heading", name="Check your insurance benefits")).to_be_visible()
    expect(page.get_by_label("First name", exact=True)).to_have_value("")
    expect(page.locator("#result")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('verifier.pending')") is None
    page.goto(f"{live_server.url}/verify")  # reopened in the same tab
    expect(page.locator("#verify-flow")).to_be_visible()
    expect(page.locator("#result")).to_be_hidden()


def test_without_javascript_fix_the_details_then_start_over(
    browse: Callable[..., Any], live_server: LiveServer, worker: WorkerProcess
) -> None:
    page = browse(javascript=False)
    page.goto(f"{live_server.url}/verify")
    fill_plain(page, "SBX-NOTFOUND-5003")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name=NOT_FOUND)).to_be_visible()
    page.get_by_role("button", name="Check the details and try again").click()
    expect(page.get_by_role("heading", name="Check your insurance benefits")).to_be_visible()
    expect(page.get_by_label("Member ID", exact=True)).to_have_value("")
    expect(page.get_by_label("Last name", exact=True)).to_have_value("Quintavius")
    expect(page.locator("#f-payer_id")).to_have_value("SANDBOX")
    page.get_by_label("Member ID", exact=True).fill("SBX-ACTIVE-5003")
    page.locator("#f-consent").check()
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    page.get_by_role("link", name="Check another insurance").click()
    expect(page.get_by_label("First name", exact=True)).to_have_value("")
    expect(page.get_by_role("heading", name="Your results")).to_have_count(0)
    screenshot(page, "start-over-nojs")

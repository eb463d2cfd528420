"""A Part 2 program's consent gate in a real browser, and the staff's ledger and revocation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.conftest import LiveServer, WorkerProcess, wait_until
from tests.e2e.conftest import DESKTOP, fill_form, screenshot, sign_in_coordinator
from tests.unit.part2.test_consent_gate import stored_for
from verifier.store.models import Disclosure, Verification
from verifier.verifications import maintenance
from verifier.verifications.lifecycle import utcnow


def test_the_consent_appears_only_for_a_part2_program(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/verify")
    consent = page.locator("#part2-consent")
    expect(consent).to_be_hidden()
    page.get_by_role("radio", name="Substance use").check()
    expect(consent).to_be_visible()
    expect(consent).to_contain_text("42 CFR Part 2")
    expect(consent).to_contain_text("Right to revoke")
    page.get_by_role("radio", name="Mental health").check()
    expect(consent).to_be_hidden()


def test_no_270_without_consent_then_ledger_rows_then_revocation_stops_the_recheck(
    page: Any, browse: Any, live_server: LiveServer, worker: WorkerProcess, runtime: Any
) -> None:
    page.goto(f"{live_server.url}/verify?lang=es")
    page.get_by_role("link", name="English").click()
    fill_form(page, "SBX-CARVEOUT-9001")
    page.get_by_role("radio", name="Substance use").check()
    consent = page.locator("#part2-consent")
    expect(consent.locator("[data-element=recipients]")).to_contain_text("Sandbox Health Plan")
    expect(consent.locator("[data-element=patient]")).to_contain_text("Zelpha Quintavius")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("[data-error-for='part2_consent.signature']")).to_have_text(
        "Please fill this in."
    )
    expect(page.locator("[data-error-for='part2_consent.agreed']")).to_have_text(
        "Tick the box to sign the consent."
    )
    assert stored_for(runtime, "SBX-CARVEOUT-9001") == 0  # nothing stored, nothing sent
    page.get_by_label("Type your full name to sign").fill("Zelpha Quintavius")
    page.get_by_label("I have read this consent and I agree to it.").check()
    screenshot(page, "part2-consent-en")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.locator("#result")).to_have_attribute(
        "data-state", re.compile("completed|needs_review")
    )
    verification_id = page.evaluate("JSON.parse(sessionStorage.getItem('verifier.pending')).id")
    wait_until(lambda: _ledger(runtime, verification_id) == 2)

    # The coordinator sees the consent and both disclosures, exports them, and revokes.
    staff = browse()
    staff.set_viewport_size(DESKTOP)
    sign_in_coordinator(staff, live_server.url, runtime)
    staff.goto(f"{live_server.url}/console/verifications/{verification_id}")
    ledger = staff.locator("#part2-ledger tbody tr")
    expect(ledger).to_have_count(2)
    expect(ledger.nth(0)).to_contain_text("Sandbox Health Plan (SANDBOX)")
    expect(ledger.nth(1)).to_contain_text("Sandbox Behavioral Health (SANDBOX-BH)")
    expect(staff.locator("#part2")).to_contain_text("“Zelpha Quintavius”")
    exported = staff.request.get(
        f"{live_server.url}/console/verifications/{verification_id}/part2/disclosures.csv"
    )
    assert exported.ok and exported.text().count("\n") == 3
    with runtime.db.session() as session:  # an admission in 4 days: due for a re-check
        row = session.get_one(Verification, verification_id)
        row.service_date = dt.date.today() + dt.timedelta(days=4)
        row.status = "completed"
    staff.get_by_label("The person asked (in writing) to revoke this consent").check()
    staff.get_by_role("button", name="Revoke consent and stop further checks").click()
    expect(staff.locator("#part2-revoked")).to_contain_text("yes")
    screenshot(staff, "console-part2")
    later = utcnow() + dt.timedelta(hours=73)
    maintenance.reverify_upcoming(runtime, now=later)  # other tests' rows may be due too
    with runtime.db.session() as session:
        row = session.get_one(Verification, verification_id)
        assert (row.status, row.rechecked_at) == ("completed", None)  # not re-queued
    assert _ledger(runtime, verification_id) == 2


def _ledger(runtime: Any, verification_id: str) -> int:
    with runtime.db.session() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(Disclosure)
                .where(Disclosure.verification_id == verification_id)
            ).scalar_one()
        )


def test_the_spanish_consent_reads_in_spanish(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/verify?lang=es")
    page.get_by_role("radio", name="Uso de sustancias").check()
    consent = page.locator("#part2-consent")
    expect(consent).to_contain_text("Derecho a revocar")
    expect(consent).to_contain_text("Consentimiento para el tratamiento por uso de sustancias")
    consent.scroll_into_view_if_needed()
    screenshot(page, "part2-consent-es")

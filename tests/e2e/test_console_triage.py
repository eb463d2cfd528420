"""The coordinator's console in a real browser, the walk of issue 16's "Done when":
sign in, triage a 500-row batch by filter, read a carve-out's two grids, open an
inactive member (no cost shown), record a phone VOB with "$250"/"20%" (after a refused
try that keeps the form), add an authorization and see the 80% alert once units are
used, and handle a call-back asked for from a result page.

Each screen is saved at 1280 px and 1920 px under test-output/screenshots/console-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, sign_in_coordinator
from tests.fakes.submissions import valid_body
from verifier.store.models import BatchRow
from verifier.store.records import ContactRecord
from verifier.verifications import batches
from verifier.verifications.callbacks import request_callback
from verifier.verifications.check import run_check

WIDTHS = (1280, 1920)
SCENARIOS = (
    "SBX-ACTIVE",
    "SBX-INACTIVE",
    "SBX-CARVEOUT",
    "SBX-OON",
    "SBX-NOTFOUND",
    "SBX-PREAUTH",
    "SBX-EXHAUSTED",
)
ROWS = 500


def screens(page: Any, name: str) -> None:
    """The page at 1280 px and 1920 px, full length, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        path = SCREENSHOTS / f"console-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 1000})


def letters(n: int) -> str:
    return "".join(chr(65 + int(c, 16)) for c in uuid.uuid4().hex[:n])


@pytest.fixture
def batch(runtime: Any) -> tuple[str, str]:
    """A 500-row batch checked through the sandbox's real 270/271 exchange; its id and tag."""
    tag = letters(6)
    items = []
    for n in range(ROWS):
        body = valid_body()
        body["member"] |= {
            "first_name": "Row" + letters(3),
            "last_name": f"Batch{tag}",
            "member_id": f"{SCENARIOS[n % len(SCENARIOS)]}-{tag}{n:04d}",
        }
        body["contact"] = {"phone": "555-201-3344", "callback_requested": False}
        items.append(body)
    created = batches.create(
        runtime, batches.items_from_json(items), created_by="e2e@center.example", source="json"
    )
    assert created.accepted == ROWS
    with runtime.db.session() as session:
        ids = [
            vid
            for (vid,) in session.query(BatchRow.verification_id).filter(
                BatchRow.batch_id == created.id
            )
        ]
    for vid in ids:
        run_check(runtime, vid)
    return created.id, tag


def cell(page: Any, grid: str, key: str, tier: str | None = None) -> Any:
    row = page.locator(f"#{grid} tr[data-key='{key}']")
    return (
        row.locator(f"td[data-tier='{tier}'] .val, td[data-tier='{tier}'] .nr")
        if tier
        else row.locator("td .val, td .nr")
    )


def test_a_coordinator_triages_a_batch_reads_the_grids_and_tracks_work(
    page: Any, live_server: Any, runtime: Any, batch: tuple[str, str]
) -> None:
    batch_id, tag = batch
    page.set_viewport_size({"width": WIDTHS[0], "height": 1000})
    email = sign_in_coordinator(page, live_server.url, runtime)

    # The default view: what needs a person, with counts, not 500 green "completed".
    expect(page.locator("#batches")).to_contain_text(f"{ROWS} of {ROWS} done")
    screens(page, "queue-default")
    page.locator("#batches").get_by_role("link", name="Open its rows").first.click()
    expect(page.locator("#counts")).to_contain_text(f"{ROWS} verifications in batch")
    page.get_by_label("Outcome").select_option("inactive")
    page.get_by_role("button", name="Apply").click()
    inactive = ROWS // len(SCENARIOS) + (1 if ROWS % len(SCENARIOS) > 1 else 0)
    expect(page.locator("#counts")).to_contain_text(f"{inactive} verifications in batch")
    expect(page.locator("table.triage tbody tr")).to_have_count(25)
    expect(page.locator("nav.pager")).to_contain_text(f"Page 1 of {-(-inactive // 25)}")
    for text in page.locator("table.triage tbody tr td:nth-child(2)").all_inner_texts():
        assert text.strip() == "inactive"
    for text in page.locator("table.triage tbody tr td:nth-child(7)").all_inner_texts():
        assert text.strip() == "—"  # an ended plan: no cost in the queue either
    screens(page, "queue-filtered-inactive")

    # An inactive member: coverage inactive, the plan's end date, and no cost shown.
    page.locator("table.triage tbody tr").first.get_by_role("link").click()
    grid = "grid-iop-plan"
    expect(cell(page, grid, "coverage.status")).to_have_text("inactive")
    expect(page.locator(f"#{grid} [data-key='estimate']")).to_contain_text(
        "none: coverage is not active"
    )
    expect(page.locator(f"#{grid}")).not_to_contain_text("$")
    screens(page, "detail-inactive")

    # A carve-out: the plan's grid and the administrator's grid, named, side by side.
    page.goto(f"{live_server.url}/console?view=all&batch={batch_id}&carve_out=yes")
    expect(page.locator("table.triage tbody tr").first).to_contain_text("yes")
    page.locator("table.triage tbody tr").first.get_by_role("link").click()
    expect(page.locator("#grid-iop-carve h3")).to_contain_text("Carve-out administrator:")
    expect(cell(page, "grid-iop-plan", "administrator")).to_contain_text("·")
    expect(cell(page, "grid-iop-carve", "copay", "in_network")).to_have_text("$30.00 per visit")
    expect(cell(page, "grid-iop-carve", "coinsurance", "in_network")).to_have_text("20%")
    expect(cell(page, "grid-iop-carve", "visit_limit.remaining")).to_have_text("18")
    expect(cell(page, "grid-iop-carve", "copay", "out_of_network")).to_have_text("not reported")
    page.locator("#grid-iop-carve tr[data-key='copay'] td[data-tier='in_network'] summary").click()
    expect(
        page.locator("#grid-iop-carve tr[data-key='copay'] td[data-tier='in_network'] code").first
    ).to_contain_text("EB*B")
    screens(page, "detail-carve-out")
    # Both grids print on one Letter page (the print style keeps the grid, drops the rest).
    pdf = page.pdf(format="Letter", print_background=True)
    (SCREENSHOTS / "console-detail-carve-out.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 816, "height": 1056})  # Letter at 96 dpi
    page.screenshot(path=str(SCREENSHOTS / "console-detail-carve-out-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # An active member: a phone VOB, first with a typo (kept, message by the field).
    page.goto(
        f"{live_server.url}/console?view=all&batch={batch_id}&outcome=active&network=in_network&carve_out=no&preauth=unknown&visits=some_left"
    )
    page.locator("table.triage tbody tr").first.get_by_role("link").click()
    detail_url = page.url
    expect(cell(page, "grid-iop-plan", "copay", "in_network")).to_have_text("$30.00 per visit")
    page.get_by_text("Record a phone VOB").click()
    page.get_by_label("Representative").fill("Marisol K.")
    page.get_by_label("Call reference number").fill("CALL-55-0192")
    page.get_by_label("Phone line called").fill("1-800-555-0100 option 3")
    page.get_by_label("In network copay", exact=True).fill("twenty-five")
    page.get_by_label("In network coinsurance", exact=True).fill("20%")
    page.get_by_role("button", name="Save phone VOB").click()
    expect(page.locator("#m-in_network_copay-error")).to_have_text(
        "Enter dollars like 250, $250, 250.00 or 1,500."
    )
    expect(page.get_by_label("Representative")).to_have_value("Marisol K.")
    expect(page.get_by_label("In network coinsurance", exact=True)).to_have_value("20%")
    screens(page, "phone-vob-refused")
    page.get_by_label("In network copay", exact=True).fill("$250")
    page.get_by_label("In network deductible", exact=True).fill("1,500")
    page.get_by_role("button", name="Save phone VOB").click()
    expect(cell(page, "grid-iop-plan", "copay", "in_network")).to_have_text("$250.00")
    expect(cell(page, "grid-iop-plan", "coinsurance", "in_network")).to_have_text("20%")
    expect(cell(page, "grid-iop-plan", "deductible.individual.total", "in_network")).to_have_text(
        "$1,500.00"
    )
    # The payer's electronic answer stays beside the phone VOB.
    expect(cell(page, "grid-iop-electronic-plan", "copay", "in_network")).to_have_text(
        "$30.00 per visit"
    )
    expect(page.locator("#vob-differences")).to_contain_text("Copay, in network")
    expect(page.locator("#vob-differences")).to_contain_text("$30.00 per visit")
    expect(page.locator("#phone-vobs")).to_contain_text("rep Marisol K. · reference CALL-55-0192")
    screens(page, "phone-vob-saved")

    # An authorization: 10 sessions approved, 8 used -> the 80% alert, here and in the queue.
    page.get_by_text("Add an authorization").click()
    page.get_by_label("Authorization number").fill("AUTH-77812")
    page.get_by_label("Approved units").fill("10")
    page.get_by_label("End date").fill((dt.date.today() + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Payer / UM contact").fill("UM line 800-555-0142")
    page.get_by_role("button", name="Add authorization").click()
    row = page.locator("#authorizations tbody tr").first
    expect(row).to_contain_text("AUTH-77812")
    row.get_by_label("Units used").fill("8")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#authorizations tbody tr").first.locator(".alert")).to_have_text(
        "8 of 10 units used (80%)"
    )
    screens(page, "authorization-alert")
    page.goto(f"{live_server.url}/console?auth_alert=yes&order=asc")  # newest first
    expect(page.locator("table.triage")).to_contain_text("auth: iop: 8 of 10 units used (80%)")
    screens(page, "queue-auth-alert")

    # A call-back the visitor asked for from their result page: it opens that verification.
    vid = detail_url.rsplit("/", 1)[1]
    request_callback(
        runtime,
        ContactRecord(phone="555-201-7788", best_time="after 5pm", callback_requested=True),
        name="Odalys Brenner",
        verification_id=vid,
    )
    page.get_by_role("link", name="Call-backs").click()
    line = page.locator("tr", has_text="Odalys Brenner")
    expect(line).to_contain_text("after 5pm")
    line.get_by_role("link", name="Open the verification").click()
    expect(page).to_have_url(re.compile(rf"/console/verifications/{vid}$"))
    callback = page.locator("#callbacks .callback", has_text="Odalys Brenner")
    callback.get_by_label("State").select_option("reached")
    callback.get_by_role("button", name="Save state").click()
    expect(page.locator("#callbacks .cb-state").first).to_contain_text(f"reached by {email} at")
    screens(page, "callback-reached")
    assert tag  # the batch's rows were the ones triaged

"""What we promise depends on what the visitor gave, and a call back reaches the right check."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from config.settings import RateLimit
from tests.conftest import LiveServer, WorkerProcess
from tests.e2e.conftest import fill_form, fill_plain, screenshot
from verifier.store.models import Verification
from verifier.store.records import ContactRecord, unseal
from verifier.verifications.callbacks import list_callback_requests


def _contact(runtime: Any, verification_id: str) -> tuple[bool, ContactRecord | None]:
    with runtime.db.session() as session:
        row = session.get_one(Verification, verification_id)
        contact = (
            ContactRecord.from_json(
                unseal(runtime.keyring, "contact", row.id, row.contact_enc)
            )
            if row.contact_enc
            else None
        )
        return row.callback_requested, contact


def test_with_a_call_asked_for_we_promise_it_at_that_number_and_time(
    page: Any, live_server: LiveServer, worker: WorkerProcess
) -> None:
    page.goto(f"{live_server.url}/verify")
    fill_form(page, "SBX-ACTIVE-8001", callback=True)
    page.locator("#verify-form [name='contact.best_time']").select_option("evening")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.locator("#result .r-next")).to_contain_text(
        "We will call you at the number you gave (ending in 3344), in the evening."
    )
    expect(page.locator("#result .r-callback")).to_be_hidden()


def test_with_a_number_but_no_call_asked_one_button_asks_for_it_at_that_number(
    page: Any, live_server: LiveServer, worker: WorkerProcess, runtime: Any
) -> None:
    page.goto(f"{live_server.url}/verify")
    fill_form(page, "SBX-ACTIVE-8004")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    result = page.locator("#result")
    expect(result.locator(".r-next")).to_contain_text(
        "we can call you at the number you gave (ending in 3344)"
    )
    offer = result.locator(".r-callback")
    expect(offer.get_by_label("Phone number")).to_be_hidden()  # never asked twice
    offer.get_by_role("button", name="Yes, please call me at that number").click()
    expect(result.locator(".r-next")).to_contain_text(
        "Thank you. We will call you at the number ending in 3344, at any time of day."
    )
    verification_id = page.evaluate("JSON.parse(sessionStorage.getItem('verifier.pending')).id")
    asked, contact = _contact(runtime, verification_id)
    assert asked and contact is not None and contact.phone == "555-201-3344"


def test_with_no_contact_we_offer_the_call_back_form_tied_to_this_check(
    page: Any, live_server: LiveServer, worker: WorkerProcess, runtime: Any
) -> None:
    page.goto(f"{live_server.url}/verify?lang=es")
    page.get_by_label("Nombre", exact=True).fill("Zelpha")
    page.get_by_label("Apellido", exact=True).fill("Quintavius")
    page.get_by_label("Fecha de nacimiento", exact=True).fill("1988-04-12")
    page.get_by_label("Compañía de seguros", exact=True).select_option("SANDBOX")
    page.get_by_label("Número de miembro", exact=True).fill("SBX-ACTIVE-8002")
    page.locator("#f-consent").check()
    page.get_by_role("button", name="Verificar mis beneficios").click()
    expect(page.get_by_role("heading", name="Sus resultados")).to_be_visible()
    result = page.locator("#result")
    expect(result.locator(".r-next")).to_contain_text(
        "No dejó teléfono ni correo electrónico, así que no le llamaremos salvo que lo pida"
    )
    expect(result.locator(".r-next")).to_contain_text("(555) 010-0100")
    offer = result.locator(".r-callback")
    expect(offer).to_be_visible()
    screenshot(page, "result-no-contact-es")
    offer.get_by_label("Teléfono").fill("555-777-5566")
    offer.get_by_role("button", name="Llámenme").click()
    expect(offer).to_contain_text("Gracias. Le llamaremos al número que termina en 5566")
    verification_id = page.evaluate("JSON.parse(sessionStorage.getItem('verifier.pending')).id")
    asked, contact = _contact(runtime, verification_id)
    assert asked and contact is not None and contact.phone == "555-777-5566"
    listed = {(c.kind, c.id) for c in list_callback_requests(runtime)}
    assert ("verification", verification_id) in listed  # staff see the check, and its name


def test_without_javascript_a_failed_check_asks_the_call_at_the_number_already_typed(
    browse: Callable[..., Any], live_server: LiveServer, worker: WorkerProcess, runtime: Any
) -> None:
    page = browse(javascript=False)
    page.goto(f"{live_server.url}/verify")
    fill_plain(page, "SBX-NOTFOUND-8003")
    page.get_by_role("button", name="Check my benefits").click()
    expect(page.get_by_role("heading", name="We could not find your coverage yet")).to_be_visible()
    offer = page.locator("#result .r-callback")
    expect(offer).to_contain_text("We have your number ending in 3344.")
    expect(offer.get_by_label("Phone number")).to_be_hidden()
    verification_id = page.url.split("?")[0].rsplit("/", 1)[1]
    offer.get_by_role("button", name="Yes, please call me at that number").click()
    expect(
        page.get_by_role(
            "heading",
            name="Thank you. We will call you at the number ending in 3344, at any time of day.",
        )
    ).to_be_visible()
    asked, contact = _contact(runtime, verification_id)
    assert asked and contact is not None and contact.phone == "555-201-3344"


def test_the_too_many_tries_message_names_our_phone_number(
    page: Any, settings: Any, make_app: Callable[[Any], Any]
) -> None:
    app = make_app(dataclasses.replace(settings, rate_limit_submit=RateLimit(1, 600)))
    with LiveServer(app) as server:
        page.goto(f"{server.url}/verify")
        page.get_by_role("button", name="Check my benefits").click()  # 422: counted
        expect(page.locator("#error-summary")).to_be_visible()
        page.get_by_role("button", name="Check my benefits").click()
        expect(page.locator(".form-error")).to_have_text(
            re.compile(
                r"Too many tries from this connection\. Please wait \d+ minute\(s\) and try "
                r"again, or call us at \(555\) 010-0100\."
            )
        )

"""Names as people write them: José Peña is accepted, sent as JOSE PENA, kept for staff."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import LiveServer, WorkerProcess
from tests.e2e.conftest import screenshot
from verifier.store.models import Attempt, Verification
from verifier.store.records import MemberRecord, attempt_key, unseal


def fill_in_spanish(page: Any, member_id: str, *, last: str = "Peña") -> None:
    page.get_by_label("Nombre", exact=True).fill("José")
    page.get_by_label("Apellido", exact=True).fill(last)
    page.get_by_label("Fecha de nacimiento", exact=True).fill("1988-04-12")
    page.get_by_label("Compañía de seguros", exact=True).select_option("SANDBOX")
    page.get_by_label("Número de miembro", exact=True).fill(member_id)
    page.locator("#f-consent").check()


def test_an_accented_name_goes_into_the_270_as_jose_pena(
    page: Any, live_server: LiveServer, worker: WorkerProcess, runtime: Any
) -> None:
    page.goto(f"{live_server.url}/verify?lang=es")
    fill_in_spanish(page, "SBX-ACTIVE-6001")
    page.get_by_role("button", name="Verificar mis beneficios").click()
    expect(page.get_by_role("heading", name="Sus resultados")).to_be_visible()
    pending = page.evaluate("JSON.parse(sessionStorage.getItem('verifier.pending'))")
    with runtime.db.session() as session:
        row = session.get_one(Verification, pending["id"])
        attempt = session.execute(
            select(Attempt).where(Attempt.verification_id == row.id)
        ).scalar_one()
        member = MemberRecord.from_json(unseal(runtime.keyring, "member", row.id, row.member_enc))
        sent = unseal(
            runtime.keyring, "attempt.request", attempt_key(attempt.id), attempt.request_enc or ""
        )
    assert "NM1*IL*1*PENA*JOSE" in sent
    assert (member.first_name, member.last_name) == ("JOSE", "PENA")
    assert member.as_typed == {"first_name": "José", "last_name": "Peña"}
    assert row.language == "es"  # the page's script says which language staff call back in


def test_a_name_that_cannot_be_transliterated_is_refused_in_spanish_naming_the_field(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/verify?lang=es")
    fill_in_spanish(page, "SBX-ACTIVE-6002", last="山田")
    page.get_by_role("button", name="Verificar mis beneficios").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Apellido: debe escribirse con letras latinas, como en la tarjeta del seguro"
    )
    expect(page.locator("[data-error-for='member.last_name']")).to_have_text(
        "debe escribirse con letras latinas, como en la tarjeta del seguro"
    )
    assert "Latin letters" not in page.locator("main").inner_text()
    screenshot(page, "name-error-es")

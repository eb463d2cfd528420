"""A visitor who reads Spanish gets the whole result in Spanish: words, facts, assumptions."""

from __future__ import annotations

from typing import Any

import pytest

from config.settings import Settings
from tests.unit.web.conftest import Page, valid_form
from verifier.coverage.messages import VISITOR
from verifier.runtime import runtime_of
from verifier.verifications.check import run_check


@pytest.fixture
def checked(inline_settings: Settings, make_app: Any, address: str) -> Any:
    """Submit the form in a language, run the check in-process, and read the result page."""
    app = make_app(inline_settings)
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}

    def run(member_id: str, language: str) -> Page:
        form_page = client.get("/verify", environ_base=environ).get_data(as_text=True)
        token = form_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/verify",
            data={"csrf_token": token, "lang": language, **valid_form(member_id)},
            environ_base=environ,
        )
        location = response.headers["Location"]
        assert f"lang={language}" in location
        verification_id = location.split("?")[0].rsplit("/", 1)[1]
        run_check(runtime_of(app), verification_id)
        page = client.get(location, environ_base=environ)
        assert page.status_code == 200
        return Page(page.get_data(as_text=True))

    return run


def test_a_spanish_visitor_reads_the_coverage_sentences_in_spanish(checked: Any) -> None:
    page = checked("SBX-ACTIVE-1001", "es")
    assert VISITOR["es"]["active"] in page.text
    assert VISITOR["en"]["active"] not in page.text


def test_a_spanish_visitor_reads_the_estimates_assumptions_in_spanish(checked: Any) -> None:
    page = checked("SBX-ACTIVE-1001", "es")
    assert "según el calendario habitual del programa" in page.text
    assert "on the program's usual schedule" not in page.text


def test_a_spanish_visitor_whose_member_is_not_found_reads_why_in_spanish(checked: Any) -> None:
    page = checked("SBX-NOTFOUND-1", "es")
    assert VISITOR["es"]["not_found"] in page.text
    assert VISITOR["en"]["not_found"] not in page.text


def test_an_english_visitor_still_reads_english(checked: Any) -> None:
    page = checked("SBX-ACTIVE-1001", "en")
    assert VISITOR["en"]["active"] in page.text
    assert "on the program's usual schedule" in page.text

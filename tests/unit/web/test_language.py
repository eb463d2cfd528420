"""Every visitor word in one table per language; Spanish by ?lang=es or Accept-Language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.web.conftest import Page
from verifier.web.messages import PAGE, choose


def test_every_language_has_the_same_keys() -> None:
    assert set(PAGE["es"]) == set(PAGE["en"])


@pytest.mark.parametrize(
    ("requested", "accept", "chosen"),
    [("es", [], "es"), (None, [("es-MX", 1.0)], "es"), ("fr", [("fr", 1), ("en", 0.5)], "en"),
     (None, [], "en")],
)
def test_the_language_is_chosen_from_the_query_then_the_browser(
    requested: str | None, accept: list[tuple[str, float]], chosen: str
) -> None:
    assert choose(requested, accept) == chosen


def test_lang_es_shows_the_form_in_spanish(client: Any) -> None:
    page = Page(client.get("/verify?lang=es").get_data(as_text=True))
    assert page.one("html")["lang"] == "es"
    assert "Verifique los beneficios de su seguro" in page.text
    assert "trastorno por juego" in page.text


def test_accept_language_es_shows_the_form_in_spanish(client: Any) -> None:
    html = client.get("/verify", headers={"Accept-Language": "es-US,es;q=0.9"}).get_data(
        as_text=True
    )
    assert "Nunca le pedimos su número de Seguro Social." in html

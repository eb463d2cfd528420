"""A Part 2 program's verification, submitted through the visitor's form, checked in-process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from config.settings import Settings
from tests.unit.web.conftest import address, csrf_of, valid_form
from verifier.part2.consent import VERSION
from verifier.runtime import Runtime, runtime_of

__all__ = ["address"]


def part2_form(member_id: str, *, signed: bool = True, **changes: str) -> dict[str, str]:
    form = valid_form(member_id) | {"condition": "substance_use"}
    if signed:
        form |= {
            "part2_consent.version": VERSION,
            "part2_consent.signature": "José Peña",
            "part2_consent.agreed": "1",
        }
    return form | changes


@pytest.fixture
def part2_app(inline_settings: Settings, make_app: Any) -> Any:
    return make_app(inline_settings)


@pytest.fixture
def part2_runtime(part2_app: Any) -> Runtime:
    return runtime_of(part2_app)


@pytest.fixture
def post_form(part2_app: Any, address: str) -> Callable[..., Any]:
    """Post the no-JS form as a visitor would (CSRF token from the page)."""
    client = part2_app.test_client()
    environ = {"REMOTE_ADDR": address}

    def post(form: dict[str, str], language: str = "en") -> Any:
        page = client.get(f"/verify?lang={language}", environ_base=environ).get_data(as_text=True)
        return client.post(
            "/verify",
            data={"csrf_token": csrf_of(page), "lang": language, **form},
            environ_base=environ,
        )

    return post


def verification_id_of(response: Any) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return str(response.headers["Location"].split("?")[0].rsplit("/", 1)[1])

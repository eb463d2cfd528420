"""Helpers for the visitor pages: a parsed page, its CSRF token, a valid form."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest

from config.settings import RateLimit, Settings

_addresses = itertools.count(1)


class Page(HTMLParser):
    """Just enough of the DOM: every element's tag and attributes, and the text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> dict[str, str | None]:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def error_text(html: str, field: str) -> str:
    match = re.search(rf'<p class="error"[^>]*data-error-for="{re.escape(field)}"[^>]*>(.*?)</p>',
                      html, re.S)
    assert match, f"no error slot for {field}"
    return match.group(1)


def valid_form(member_id: str = "SBX-ACTIVE-1001") -> dict[str, str]:
    return {
        "member.first_name": "Zelpha",
        "member.last_name": "Quintavius",
        "member.date_of_birth": "1988-04-12",
        "member.member_id": member_id,
        "member.relationship": "self",
        "payer_id": "SANDBOX",
        "level_of_care": "iop",
        "condition": "mental_health",
        "contact.phone": "555-201-3344",
        "consent": "1",
    }


@pytest.fixture
def address() -> str:
    """A client address of its own per test, so rate-limit windows never meet."""
    return f"198.51.100.{next(_addresses) % 250 + 1}"


@pytest.fixture
def visitor(client: Any, address: str) -> Any:
    """The test client as one visitor: an address of its own, and the form's token."""

    class Visitor:
        def get(self, url: str, **kwargs: Any) -> Any:
            return client.get(url, environ_base={"REMOTE_ADDR": address}, **kwargs)

        def post(self, url: str, **kwargs: Any) -> Any:
            return client.post(url, environ_base={"REMOTE_ADDR": address}, **kwargs)

        def token(self) -> str:
            return csrf_of(self.get("/verify").get_data(as_text=True))

        def submit(self, form: dict[str, str]) -> Any:
            return self.post("/verify", data={"csrf_token": self.token(), **form})

    return Visitor()


@pytest.fixture
def limited_app(settings: Settings, make_app: Callable[[Settings], Any]) -> Any:
    """The app with small limits: two submits and three status reads a minute."""
    return make_app(
        dataclasses.replace(
            settings, rate_limit_submit=RateLimit(2, 60), rate_limit_status=RateLimit(3, 60)
        )
    )

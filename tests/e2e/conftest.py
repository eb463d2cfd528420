"""Browser fixtures: one headless Debian Chromium per session, a page per test.

Where Chromium is missing the browser tests skip with the reason, unless
VERIFIER_REQUIRE_BROWSER=1 (CI) makes that a failure. Every page fails its test on a
console error, so a CSP violation (an inline script or style) cannot pass unnoticed.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from verifier.domain import Relationship
from verifier.staff import accounts
from verifier.store.records import MemberRecord

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
expect.set_options(timeout=20_000)  # a check through the worker takes a few seconds


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("VERIFIER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (VERIFIER_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context (no cookies or storage) at phone width; console errors (a CSP violation)
    fail the test."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    # Only script and policy errors: a 422 or a missing favicon is the network's business.
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors


@pytest.fixture
def browse(browser: Any) -> Iterator[Callable[..., Any]]:
    """More pages: ``browse(javascript=False, locale="es-US")``; console errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(*, javascript: bool = True, locale: str = "en-US") -> Any:
        context = browser.new_context(viewport=PHONE, locale=locale, java_script_enabled=javascript)
        context.set_default_timeout(20_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on(
            "console",
            lambda message: (
                errors.append(message.text)
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        tab.on("pageerror", lambda error: errors.append(str(error)))
        return tab

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], errors


def fill_plain(
    page: Any,
    member_id: str,
    *,
    first: str = "Zelpha",
    last: str = "Quintavius",
    phone: str | None = "555-201-3344",
    spanish: bool = False,
) -> None:
    """The form without the payer search (which needs JavaScript), by field names."""
    page.locator("[name='member.first_name']").fill(first)
    page.locator("[name='member.last_name']").fill(last)
    page.locator("[name='member.date_of_birth']").fill("1988-04-12")
    page.locator("#f-payer_id").select_option("SANDBOX")
    page.locator("[name='member.member_id']").fill(member_id)
    if phone:
        page.locator("#verify-form [name='contact.phone']").fill(phone)
    page.locator("#f-consent").check()


def screenshot(page: Any, name: str) -> None:
    """The page at phone and desktop widths, for a person to look at.

    Leaves the page at desktop width: resizing a page back while a cross-site iframe
    lays itself out once hung Chromium (no timeout covers a resize), so call it last.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)


def fill_form(page: Any, member_id: str, *, callback: bool = False) -> None:
    """What a visitor types: a name, a birth date, the payer from the picker, the card's id."""
    page.get_by_label("First name", exact=True).fill("Zelpha")
    page.get_by_label("Last name", exact=True).fill("Quintavius")
    page.get_by_label("Date of birth", exact=True).fill("1988-04-12")
    page.get_by_label("Search insurance companies").fill("sandbox health")
    expect(page.locator("#f-payer_id option")).to_have_count(2)  # "Choose…" and the match
    page.get_by_label("Insurance company", exact=True).select_option("SANDBOX")
    page.get_by_label("Member ID", exact=True).fill(member_id)
    page.locator("#verify-form").get_by_label("Phone number").fill("555-201-3344")
    if callback:
        page.get_by_label("Please call me back to go over my results.").check()
    page.locator("#f-consent").check()


class HostSite:
    """A partner's marketing page on another origin, with the widget snippet pasted in."""

    def __init__(self) -> None:
        self.body = b""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.server.daemon_threads = True
        # 127.0.0.2 vs the verifier's 127.0.0.1: another site, not just another port (and no
        # "localhost" lookup that may try ::1 first).
        self.origin = f"http://127.0.0.2:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def serve(self, snippet: str) -> None:
        self.body = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Partner</title>"
            f"</head><body><h1>Example Recovery Partners</h1>{snippet}</body></html>"
        ).encode()
        self.thread.start()

    def close(self) -> None:
        if self.thread.is_alive():  # shutdown() waits forever on a server never started
            self.server.shutdown()
            self.thread.join(5)
        self.server.server_close()


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


MEMBER = MemberRecord(
    first_name="ZELPHA",
    last_name="QUINTAVIUS",
    date_of_birth=dt.date(1988, 4, 12),
    member_id="SBX-ACTIVE-STORED",
    group_number=None,
    relationship=Relationship.SELF,
)


@pytest.fixture
def stored_result(runtime: Any) -> Callable[[dict[str, Any]], tuple[str, str]]:
    """Write a finished verification with this visitor summary; return its id and token."""
    from verifier.store.models import Verification
    from verifier.store.records import seal
    from verifier.verifications.intake import hash_token
    from verifier.verifications.lifecycle import utcnow

    def store(summary: dict[str, Any]) -> tuple[str, str]:
        now = utcnow()
        verification_id, token = uuid.uuid4().hex, secrets.token_urlsafe(32)
        with runtime.db.session() as session:
            session.add(
                Verification(
                    id=verification_id,
                    status="completed",
                    created_at=now,
                    updated_at=now,
                    level_of_care="iop",
                    condition="mental_health",
                    payer_id="SANDBOX",
                    service_date=now.date(),
                    source="visitor",
                    token_hash=hash_token(token),
                    token_expires_at=now + dt.timedelta(hours=1),
                    member_enc=seal(runtime.keyring, "member", verification_id, MEMBER.to_json()),
                    callback_requested=False,
                    visitor_summary=summary,
                    completed_at=now,
                    attempt_count=1,
                    run_attempts=1,
                    run_seq=1,
                )
            )
        return verification_id, token

    return store


def sign_in_coordinator(page: Any, base: str, runtime: Any) -> str:
    """A new coordinator signs in; returns the email, on the work queue."""
    email = f"coord-{uuid.uuid4().hex[:6]}@center.example"
    account = accounts.create_user(runtime, email, "coordinator")
    page.goto(f"{base}/console/login")
    first_sign_in(page, email, account)
    return email


def first_sign_in(page: Any, email: str, account: Any) -> None:
    """On the sign-in page: password and TOTP, then, as every first sign-in must, the
    one-time password traded for the user's own; ends on the work queue."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_label("Authenticator code (6 digits)").fill(
        pyotp.TOTP(account.totp_secret).at(dt.datetime.now(dt.UTC))
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    page.get_by_label("Password you were given").fill(account.password)
    page.get_by_label("New password", exact=True).fill("a passphrase of my own")
    page.get_by_label("New password again").fill("a passphrase of my own")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()

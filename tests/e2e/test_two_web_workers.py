"""Under gunicorn with two workers and no SECRET_KEY, no form ever 'expires'."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import ROOT, free_port, wait_until

GUNICORN = Path(sys.executable).parent / "gunicorn"


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [str(GUNICORN), "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                "wsgi:app"]
        with log.open("ab") as handle:
            self.process = subprocess.Popen(
                argv, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
            )

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or a worker still booting
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def web_env(service_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ) | service_env | {"PYTHONPATH": str(ROOT)}
    env.pop("SECRET_KEY")
    env["VERIFIER_SECRET_KEY_FILE"] = str(tmp_path / "var" / "secret.key")
    return env


@pytest.fixture
def two_workers(web_env: dict[str, str], tmp_path: Path) -> Iterator[Gunicorn]:
    server = Gunicorn(web_env, 2, tmp_path / "gunicorn.log")
    try:
        wait_until(server.ready, timeout=90, interval=0.5)
        yield server
    finally:
        server.stop()


def test_call_back_forms_posted_to_two_workers_never_expire(
    browse: Any, two_workers: Gunicorn
) -> None:
    """Without JavaScript the form posts with its CSRF cookie; either worker must accept it."""
    for attempt in range(8):  # sync workers close each connection: requests spread over both
        page = browse(javascript=False)
        page.goto(f"{two_workers.url}/verify/callback")
        page.get_by_label("Phone number").fill(f"555-201-33{attempt:02d}")
        page.get_by_role("button", name="Call me back").click()
        thanks = page.get_by_role("heading", name="Thank you. We will call you soon.")
        expect(thanks).to_be_visible()
        assert "This form expired" not in page.locator("main").inner_text()


def test_a_form_from_one_process_is_accepted_by_another(
    web_env: dict[str, str], tmp_path: Path
) -> None:
    first = Gunicorn(web_env, 1, tmp_path / "first.log")
    second = Gunicorn(web_env, 1, tmp_path / "second.log")
    try:
        wait_until(lambda: first.ready() and second.ready(), timeout=90, interval=0.5)
        with requests.Session() as visitor:
            page = visitor.get(f"{first.url}/verify/callback", timeout=5).text
            token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            answer = visitor.post(
                f"{second.url}/verify/callback",
                data={"csrf_token": token, "lang": "en", "phone": "555-201-3399"},
                timeout=5,
            )
        assert answer.status_code == 201, answer.text[:300]
    finally:
        first.stop()
        second.stop()
    assert (tmp_path / "var" / "secret.key").stat().st_mode & 0o777 == 0o600

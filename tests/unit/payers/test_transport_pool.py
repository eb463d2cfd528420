"""The transport keeps a connection per calling thread: a batch job's threads reuse theirs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from config.settings import Settings
from tests.fakes.payer_server import FakePayer, Reply
from verifier.payers.transport import POOL_SIZE, HttpTransport, pool_size

THREADS = 16
ROUNDS = 3


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as fake:
        fake.on("/x12", Reply(body="ok", delay=0.05))
        yield fake


def call_from_threads(transport: HttpTransport, url: str) -> None:
    start = threading.Barrier(THREADS)

    def calls() -> None:
        start.wait()
        for _ in range(ROUNDS):
            transport.send("POST", url, body=b"270")

    threads = [threading.Thread(target=calls) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


def test_threads_calling_at_once_reuse_one_connection_each(
    payer: FakePayer, caplog: pytest.LogCaptureFixture
) -> None:
    transport = HttpTransport(timeout=10, pool=THREADS)
    with caplog.at_level(logging.WARNING, logger="urllib3"):
        call_from_threads(transport, f"{payer.url}/x12")
    assert payer.count("/x12") == THREADS * ROUNDS
    assert payer.connections <= THREADS
    assert "pool is full" not in caplog.text


def test_a_pool_smaller_than_the_threads_throws_connections_away(
    payer: FakePayer, caplog: pytest.LogCaptureFixture
) -> None:
    """Why the pool is sized: past it, urllib3 closes each extra connection after its call."""
    transport = HttpTransport(timeout=10, pool=4)
    with caplog.at_level(logging.WARNING, logger="urllib3"):
        call_from_threads(transport, f"{payer.url}/x12")
    assert "Connection pool is full, discarding connection" in caplog.text


def test_the_pool_follows_the_worker_threads() -> None:
    settings = Settings.from_env({"VERIFIER_WORKER_THREADS": "80"})
    assert pool_size(settings) == 80


def test_the_pool_never_exceeds_the_payers_concurrency_cap() -> None:
    settings = Settings.from_env({"VERIFIER_WORKER_THREADS": "80"})
    assert pool_size(settings, max_concurrency=12) == 12


def test_the_pool_is_at_least_requests_default() -> None:
    settings = Settings.from_env({"VERIFIER_WORKER_THREADS": "2"})
    assert pool_size(settings) == POOL_SIZE

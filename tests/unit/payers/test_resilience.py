"""The resilience layer every adapter gets: circuit breaker, concurrency cap, rate limit.

All state is in a real Redis, shared the way separate workers share it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from tests.conftest import embedded_redis
from tests.fakes import x12_responses
from tests.fakes.payer_kit import make_entry, make_request, make_settings, resilient
from tests.fakes.payer_server import FakePayer, Reply
from verifier.payers.base import CheckOutcome, PayerRejected, PayerUnavailable
from verifier.payers.circuit import CircuitBreaker, State
from verifier.payers.limits import ConcurrencySlots, LimitTimeout, RateLimiter
from verifier.payers.x12_http import X12HttpAdapter

ROOT = Path(__file__).parents[3]


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        yield server


def _x12(payer: FakePayer, redis: Redis, **values: Any) -> Any:
    options = {"retries": 0, "backoff_base": 0.01} | values.pop("options", {})
    entry = make_entry("x12_http", endpoint=payer.url + "/x12", options=options, **values)
    settings = make_settings()
    return resilient(X12HttpAdapter(entry, settings, redis), entry, settings, redis)


def test_the_circuit_opens_after_a_burst_and_short_circuits(payer: FakePayer, redis: Redis) -> None:
    payer.on("/x12", Reply(503))
    adapter = _x12(payer, redis, options={"breaker_threshold": 3, "breaker_cooldown": 30})
    for _ in range(3):
        with pytest.raises(PayerUnavailable):
            adapter.check(make_request())
    started = time.monotonic()
    with pytest.raises(PayerUnavailable, match="circuit open") as raised:
        adapter.check(make_request())
    assert time.monotonic() - started < 0.2
    assert raised.value.retry_after is not None and 25 < raised.value.retry_after <= 30
    assert payer.count("/x12") == 3


def test_after_the_cooldown_one_probe_goes_out_and_a_success_closes(redis: Redis) -> None:
    breaker = CircuitBreaker(redis, f"vt:{uuid.uuid4().hex}", threshold=1, cooldown=0.2)
    breaker.failure()
    assert breaker.state() is State.OPEN and not breaker.admit(1).allowed
    time.sleep(0.3)
    first, second = breaker.admit(1), breaker.admit(1)
    assert (first.allowed, first.probe, second.allowed) == (True, True, False)
    breaker.success()
    assert breaker.state() is State.CLOSED and breaker.admit(1).allowed


def test_a_failed_probe_opens_the_circuit_again(redis: Redis) -> None:
    breaker = CircuitBreaker(redis, f"vt:{uuid.uuid4().hex}", threshold=5, cooldown=0.2)
    for _ in range(5):
        breaker.failure()
    time.sleep(0.3)
    assert breaker.admit(1).probe
    assert breaker.failure() is True  # one failure in half-open is enough
    assert breaker.state() is State.OPEN


def test_several_payers_read_in_one_pipeline(redis: Redis) -> None:
    """queue_state/state_from and queue_in_use/in_use_from: what verifier.metrics batches."""
    prefixes = [f"vt:{uuid.uuid4().hex}" for _ in range(3)]
    closed, opened, half_open = (
        CircuitBreaker.for_payer(redis, prefix, threshold=1, cooldown=0.2) for prefix in prefixes
    )
    opened.failure()
    half_open.failure()
    time.sleep(0.3)
    opened.failure()  # the cooldown passed for both; this one failed again
    slots = ConcurrencySlots.for_payer(redis, prefixes[0], 2)
    slots.acquire(30, time.monotonic() + 1)
    with redis.pipeline(transaction=False) as pipe:
        for breaker in (closed, opened, half_open):
            breaker.queue_state(pipe)
        slots.queue_in_use(pipe, time.time())
        answers = iter(pipe.execute())
    states = [CircuitBreaker.state_from(answers) for _ in range(3)]
    assert states == [State.CLOSED, State.OPEN, State.HALF_OPEN]
    assert ConcurrencySlots.in_use_from(answers) == 1 == slots.in_use()
    assert next(answers, None) is None
    assert [breaker.state() for breaker in (closed, opened, half_open)] == states


def test_a_rejection_counts_as_the_payer_being_up(payer: FakePayer, redis: Redis) -> None:
    payer.on("/x12", Reply(503), Reply(400), Reply(503), Reply(503))
    adapter = _x12(payer, redis, options={"breaker_threshold": 3})
    for error in (PayerUnavailable, PayerRejected, PayerUnavailable, PayerUnavailable):
        with pytest.raises(error):
            adapter.check(make_request())
    assert adapter.breaker.state() is State.CLOSED


class _Slow:
    """An adapter that records how many of its calls overlap."""

    name = "slow"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    def check(self, request: Any) -> CheckOutcome:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        time.sleep(0.2)
        with self.lock:
            self.in_flight -= 1
        raise PayerRejected("done", errors=())


def test_the_concurrency_cap_holds_across_connections(redis_url: str) -> None:
    entry = make_entry("slow", max_concurrency=1, options={"retries": 0})
    settings = make_settings()
    inner = _Slow()
    workers = [resilient(inner, entry, settings, Redis.from_url(redis_url)) for _ in range(3)]

    def run(adapter: Any) -> None:
        with pytest.raises(PayerRejected):
            adapter.check(make_request())

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert inner.peak == 1
    assert time.monotonic() - started >= 0.6


def test_a_full_cap_gives_up_at_the_deadline(redis: Redis) -> None:
    slots = ConcurrencySlots(redis, f"vt:{uuid.uuid4().hex}:slots", 1)
    slots.acquire(30, time.monotonic() + 1)
    with pytest.raises(LimitTimeout) as raised:
        slots.acquire(30, time.monotonic() + 0.2)
    assert raised.value.retry_after > 25


HOLDER = """
import sys, time
from redis import Redis
from verifier.payers.limits import ConcurrencySlots
slots = ConcurrencySlots(Redis.from_url(sys.argv[1]), sys.argv[2], 1)
slots.acquire(float(sys.argv[3]), time.monotonic() + 5)
print("held", flush=True)
time.sleep(60)
"""


def test_a_slot_held_by_a_killed_process_frees_when_its_lease_ends(
    redis: Redis, redis_url: str
) -> None:
    key = f"vt:{uuid.uuid4().hex}:slots"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, redis_url, key, "1.0"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(5)
        slots = ConcurrencySlots(redis, key, 1)
        with pytest.raises(LimitTimeout):
            slots.acquire(5, time.monotonic() + 0.3)  # still leased to the dead process
        token = slots.acquire(5, time.monotonic() + 2)  # freed when the lease ran out
        assert token and slots.in_use() == 1
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(5)
        if holder.stdout is not None:
            holder.stdout.close()


def test_the_rate_limit_spaces_calls(redis: Redis) -> None:
    limiter = RateLimiter(redis, f"vt:{uuid.uuid4().hex}:rate", rate=10)
    started = time.monotonic()
    for _ in range(15):
        limiter.wait(time.monotonic() + 5)
    assert time.monotonic() - started >= 0.45


def test_the_rate_limit_gives_up_when_the_wait_passes_the_deadline(redis: Redis) -> None:
    limiter = RateLimiter(redis, f"vt:{uuid.uuid4().hex}:rate", rate=0.5)
    limiter.wait(time.monotonic() + 1)
    with pytest.raises(LimitTimeout):
        limiter.wait(time.monotonic() + 0.1)


# --- bookkeeping after the answer -------------------------------------------------------


@pytest.mark.parametrize("max_concurrency", [None, 2])
def test_an_answer_is_kept_when_redis_dies_while_the_payer_answers(
    payer: FakePayer, tmp_path: Path, max_concurrency: int | None
) -> None:
    """The breaker/slot updates after the answer fail (Redis gone): the answer still counts."""
    payer.on("/x12", Reply(body=x12_responses.answer(), delay=0.6))
    with embedded_redis(tmp_path) as url:
        own = Redis.from_url(url, socket_timeout=1)
        adapter = _x12(payer, own, max_concurrency=max_concurrency)
        threading.Timer(0.2, lambda: own.shutdown(nosave=True)).start()
        outcome = adapter.check(make_request())
    assert isinstance(outcome, CheckOutcome)
    assert payer.count("/x12") == 1

"""SBX-SLOW obeys the deadlines every real adapter obeys: the call's timeout and the attempt's.

A real transport gives up on a payer that has not answered within VERIFIER_PAYER_TIMEOUT
(``transport.HttpTransport``); the sandbox, which has no socket, must do the same, or a
slow sandbox payer would "complete" where a real one would be retried, then failed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from redis import Redis

from tests.fakes.payer_kit import make_entry, make_request, make_settings, resilient
from verifier.payers import deadline
from verifier.payers.base import CheckOutcome, PayerUnavailable
from verifier.payers.sandbox import SandboxAdapter
from verifier.verifications import lifecycle
from verifier.verifications.retry import RunClock, verdict_for_error

SLOW = make_request(
    subscriber=dataclasses.replace(make_request().subscriber, member_id="SBX-SLOW-1")
)


def test_a_slow_answer_within_the_timeout_completes() -> None:
    outcome = SandboxAdapter(slow_seconds=0.05, timeout=2.0).check(SLOW)
    assert isinstance(outcome, CheckOutcome)


def test_a_slow_answer_past_the_timeout_is_unavailable_at_the_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(PayerUnavailable, match="did not answer in time") as raised:
        SandboxAdapter(slow_seconds=5.0, timeout=0.2).check(SLOW)
    assert 0.15 < time.monotonic() - started < 1.0
    assert raised.value.exchange.request is not None  # the 270 that went unanswered


def test_the_attempt_deadline_bounds_the_wait_too() -> None:
    started = time.monotonic()
    with deadline.bounded(time.monotonic() + 0.2), pytest.raises(PayerUnavailable):
        SandboxAdapter(slow_seconds=5.0, timeout=30.0).check(SLOW)
    assert time.monotonic() - started < 1.0


def test_past_the_timeout_the_check_is_retried_then_fails_at_the_windows_end(
    redis: Redis,
) -> None:
    settings = make_settings(payer_timeout=0.2, sandbox_slow_seconds=5.0, retry_window=3600)
    entry = make_entry("sandbox", options={"retries": 0})
    adapter = resilient(
        SandboxAdapter(slow_seconds=5.0, timeout=settings.payer_timeout), entry, settings, redis
    )
    with pytest.raises(PayerUnavailable) as raised:
        adapter.check(SLOW)
    now = lifecycle.utcnow()
    early = verdict_for_error(settings, raised.value, RunClock(1, now, now))
    assert (early.status, early.reason) == (lifecycle.RETRY_WAIT, "payer_unavailable")
    window_over = RunClock(3, now - dt.timedelta(seconds=3601), now)
    late = verdict_for_error(settings, raised.value, window_over)
    assert (late.status, late.reason) == (lifecycle.FAILED, "payer_unavailable")

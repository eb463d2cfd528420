"""Leases are owned: a skewed maintenance clock or an expired lease alone reaps nothing;
a dead horse's run is taken over once, and its attempt closed as ``interrupted``."""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable

import psutil
import time_machine

from tests.conftest import WorkerProcess, wait_until
from tests.fakes import x12_responses as x12
from tests.fakes.payer_server import FakePayer, Reply
from tests.faults.conftest import assert_sound, wait_final
from tests.integration.test_scheduler import age_one_lease, attempts_of, row_of, submit
from verifier.runtime import Runtime
from verifier.verifications import maintenance


def _running(runtime: Runtime, vid: str, payer: FakePayer, calls: int = 1) -> Callable[[], bool]:
    return lambda: row_of(runtime, vid).status == "running" and payer.count("/x12") == calls


def test_a_maintenance_clock_an_hour_ahead_reaps_no_live_check(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=4))
    runtime = runtime_for(drill_env)
    start_worker(drill_env)
    checks = [submit(runtime, f"W12345678{n}") for n in range(2)]
    wait_until(lambda: payer.count("/x12") == 2, timeout=30)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with time_machine.travel(ahead, tick=True):
        assert maintenance.reconcile(runtime) == 0
        assert maintenance.refresh_due(runtime) == 0
    wait_final(runtime, checks)
    assert_sound(runtime, checks, payer.count("/x12"))


def test_an_expired_lease_whose_worker_still_runs_the_check_is_left_alone(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=4))
    runtime = runtime_for(drill_env)
    start_worker(drill_env)
    vid = submit(runtime)
    wait_until(_running(runtime, vid, payer), timeout=30)
    age_one_lease(runtime, [vid])  # expired by the database's clock, but its holder lives
    assert row_of(runtime, vid).lease_holder is not None
    assert maintenance.reconcile(runtime) == 0
    wait_final(runtime, [vid])
    assert_sound(runtime, [vid], payer.count("/x12"))


def test_a_killed_horse_is_taken_over_once_and_its_attempt_closed_as_interrupted(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=6), Reply(body=x12.answer()))
    runtime = runtime_for(drill_env)
    worker = start_worker(drill_env)
    vid = submit(runtime)
    wait_until(_running(runtime, vid, payer), timeout=30)
    assert worker.process is not None
    # The work-horse is the worker's newest child (its scheduler was forked at start).
    horse = max(psutil.Process(worker.process.pid).children(), key=lambda p: p.create_time())
    os.kill(horse.pid, signal.SIGKILL)
    age_one_lease(runtime, [vid])  # the lease runs out; RQ's retry or reconcile takes over

    def taken_over_and_done() -> bool:
        maintenance.reconcile(runtime)  # as the cron would, every minute
        return row_of(runtime, vid).status == "completed"

    try:
        wait_until(taken_over_and_done, timeout=60, interval=1)
        attempts = attempts_of(runtime, vid)
        assert [a.outcome for a in attempts] == ["interrupted", "completed"]
        assert worker.process.poll() is None
        assert_sound(runtime, [vid], payer.count("/x12"), expected_calls=2)
    except AssertionError:
        print(worker.logs()[-6000:])
        raise

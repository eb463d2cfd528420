"""The supervisor's restart rule: back-off that doubles, starts over after a healthy run,
and a loud report for a child that keeps dying; the supervisor applies it to real processes."""

from __future__ import annotations

import sys
import time

from tests.conftest import wait_until
from verifier.ops.restarts import RestartPolicy, RestartRecord, death_report
from verifier.supervisor import Supervisor

POLICY = RestartPolicy(base=0.5, cap=4.0, healthy_after=60.0, window=300.0, loud_after=3)


def test_each_death_in_a_row_doubles_the_wait_up_to_the_cap() -> None:
    record = RestartRecord(POLICY)
    waits = []
    for n in range(6):
        record.started(float(n))
        waits.append(record.died(float(n) + 0.1))
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_a_child_that_ran_healthy_starts_the_back_off_over() -> None:
    record = RestartRecord(POLICY)
    record.started(0.0)
    record.died(1.0)
    record.started(2.0)
    assert record.died(3.0) == 1.0
    record.started(10.0)
    assert record.died(100.0) == 0.5  # ran 90 s: healthy


def test_a_child_that_keeps_dying_is_reported_loudly() -> None:
    record = RestartRecord(POLICY)
    for n in range(2):
        record.died(float(n))
    assert "exited with 1; restarting in" in death_report("worker", 1, record, 1.0)
    record.died(3.0)
    loud = death_report("worker", 1, record, 2.0)
    assert loud.startswith("verifier: WORKER KEEPS DYING: 3 exits in 300s")
    assert "keeps running" in loud


def test_old_deaths_leave_the_window() -> None:
    record = RestartRecord(POLICY)
    for moment in (0.0, 1.0, 2.0):
        record.died(moment)
    assert record.keeps_dying
    record.died(400.0)
    assert not record.keeps_dying


def test_the_supervisor_restarts_a_dead_child_and_leaves_the_others_running() -> None:
    supervisor = Supervisor(RestartPolicy(base=0.2, cap=0.2))
    env: dict[str, str] = {}
    supervisor.start("steady", [sys.executable, "-c", "import time; time.sleep(60)"], env)
    supervisor.start("flaky", [sys.executable, "-c", "raise SystemExit(3)"], env)
    steady, flaky = supervisor.children
    first_steady, first_flaky = steady.process.pid, flaky.process.pid
    try:

        def restarted() -> bool:
            supervisor.tend(time.monotonic())
            return flaky.process.pid != first_flaky

        wait_until(restarted, timeout=10, interval=0.05)
        assert steady.process.pid == first_steady and steady.process.poll() is None
        assert flaky.record.in_a_row >= 1
    finally:
        supervisor.stop()
    assert steady.process.poll() is not None

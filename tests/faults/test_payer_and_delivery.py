"""Payers that time out, answer garbage or fail once; a job delivered twice; SIGTERM in the
middle of a check; a burst of 200 submits. Each ends stated, once, with nothing stuck."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from tests.conftest import WorkerProcess, wait_until
from tests.fakes import x12_responses as x12
from tests.fakes.payer_server import FakePayer, Reply
from tests.fakes.submissions import valid_body
from tests.faults.conftest import assert_sound, wait_final
from tests.integration.test_scheduler import PAYER, attempts_of, row_of, submit, write_directory
from verifier.runtime import Runtime
from verifier.store.models import Attempt, Verification
from verifier.verifications import lifecycle
from verifier.verifications.queue import JOB_FUNCTION, get_queue


def test_a_payer_that_never_answers_in_time_ends_failed_payer_unavailable(
    drill_env: dict[str, str],
    payer: FakePayer,
    tmp_path: Path,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=5))
    env = drill_env | {
        "VERIFIER_PAYERS_FILE": str(write_directory(tmp_path / "slow.toml", payer.url, 0.5)),
        "VERIFIER_RETRY_WINDOW": "3",
    }
    runtime = runtime_for(env)
    start_worker(env)
    vid = submit(runtime)
    wait_final(runtime, [vid], timeout=60)
    row = row_of(runtime, vid)
    assert (row.status, row.reason) == ("failed", "payer_unavailable")
    attempts = attempts_of(runtime, vid)
    assert len(attempts) >= 2 and all(a.outcome == "unavailable" for a in attempts)
    assert all(a.finished_at is not None for a in attempts)


def test_garbage_from_the_payer_fails_once_with_the_reason(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=b"<html>gateway error</html>"))
    runtime = runtime_for(drill_env)
    start_worker(drill_env)
    vid = submit(runtime)
    wait_final(runtime, [vid])
    row = row_of(runtime, vid)
    assert (row.status, row.reason) == ("failed", "payer_response_invalid")
    assert payer.count("/x12") == 1 and len(attempts_of(runtime, vid)) == 1


def test_a_flaky_payer_is_retried_and_answered_once(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(503), Reply(body=x12.answer()))
    runtime = runtime_for(drill_env)
    start_worker(drill_env)
    vid = submit(runtime)
    wait_final(runtime, [vid], timeout=60)
    assert row_of(runtime, vid).status == "completed"
    assert [a.outcome for a in attempts_of(runtime, vid)] == ["unavailable", "completed"]
    assert_sound(runtime, [vid], payer.count("/x12"), expected_calls=2)


def test_a_job_delivered_twice_asks_the_payer_once(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=1))
    runtime = runtime_for(drill_env)
    vid = submit(runtime)  # its job, and a second delivery of the same run under another id
    get_queue(runtime).enqueue(JOB_FUNCTION, vid, job_id=f"again-{vid}")
    start_worker(drill_env)
    start_worker(drill_env)  # two workers, so both deliveries may run at once
    wait_final(runtime, [vid])
    wait_until(lambda: get_queue(runtime).count == 0, timeout=20)
    assert_sound(runtime, [vid], payer.count("/x12"))


def test_sigterm_mid_check_lets_the_check_finish(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=3))
    runtime = runtime_for(drill_env)
    worker = start_worker(drill_env)
    vid = submit(runtime)
    wait_until(lambda: payer.count("/x12") == 1, timeout=30)
    assert worker.process is not None
    worker.process.send_signal(signal.SIGTERM)  # a deploy: rq's warm shutdown
    assert worker.process.wait(30) == 0
    assert row_of(runtime, vid).status == "completed"
    assert_sound(runtime, [vid], payer.count("/x12"))


def test_a_burst_of_200_submits_is_accepted_and_answered_once_each(
    drill_env: dict[str, str],
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer()))
    runtime = runtime_for(drill_env)
    client = runtime.app.test_client()  # type: ignore[attr-defined]
    body = valid_body() | {"payer_id": PAYER}
    responses = [client.post("/api/v1/verifications", json=body) for _ in range(200)]
    assert [r.status_code for r in responses] == [202] * 200
    ids = [r.get_json()["id"] for r in responses]
    for _ in range(3):
        start_worker(drill_env)
    wait_final(runtime, ids, timeout=240)
    assert_sound(runtime, ids, payer.count("/x12"))
    with runtime.db.session() as session:
        assert (
            session.scalar(
                select(Verification.id).where(
                    Verification.id.in_(ids), Verification.status != lifecycle.COMPLETED
                )
            )
            is None
        )
        assert (
            len(session.scalars(select(Attempt.id).where(Attempt.verification_id.in_(ids))).all())
            == 200
        )

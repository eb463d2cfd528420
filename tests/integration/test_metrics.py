"""GET /metrics end to end: a live server, real Redis, SQLite and PostgreSQL.

The figures are read from shared state at scrape time, so these tests put verifications
in known states (through the service where it gets them there, by row updates for the
states only time produces), open a payer's circuit and hold one of its slots through the
real resilience layer, and read the exposition back with prometheus_client's parser.
The state test gets a database of its own, so its counts are exact; it also shows that
the keys verifier.metrics reads are the ones the resilience layer writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Queue
from sqlalchemy import update

from config.settings import Settings
from tests.conftest import (
    LiveServer,
    WorkerProcess,
    free_port,
    migrated_database,
    wait_until,
)
from tests.fakes.submissions import valid_body
from verifier.runtime import Runtime
from verifier.store.models import Verification
from verifier.verifications import intake
from verifier.verifications.check import run_check
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.schemas import SubmitSchema, submission_from

TOKEN = "metrics-" + "k" * 24
MEMBER_NAME = ("Ottoline", "Vexgrave")
MEMBER_ID_TAIL = "-93417"

DIRECTORY = """
[payers.SANDBOX]
name = "Sandbox Health Plan"
adapter = "sandbox"
in_network = true
max_concurrency = 3
capabilities = { real_time = true, multiple_service_types = true }

[payers.SANDBOX-BH]
name = "Sandbox Behavioral Health"
adapter = "sandbox"
in_network = true
capabilities = { real_time = true, multiple_service_types = true }
"""


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(body: str) -> Samples:
    """Every sample as {(name, sorted labels): value}."""
    samples: Samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def names(samples: Samples) -> set[str]:
    return {name for name, _ in samples}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database only this test writes to."""
    with migrated_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def own_env(
    own_database: str, redis_url: str, data_key: str, redis: Redis, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """Settings with their own database, queue prefix and payer directory."""
    prefix = f"metrics{uuid.uuid4().hex[:8]}"
    payers = tmp_path / "payers.toml"
    payers.write_text(DIRECTORY)
    yield {
        "VERIFIER_ENV": "test",
        "DATABASE_URL": own_database,
        "REDIS_URL": redis_url,
        "VERIFIER_DATA_KEY": data_key,
        "VERIFIER_QUEUE_PREFIX": prefix,
        "VERIFIER_PAYERS_FILE": str(payers),
        "VERIFIER_RETRY_INTERVALS": "1,1",
        "VERIFIER_JOB_TIMEOUT": "30",
        "VERIFIER_LEASE_SECONDS": "40",
        "VERIFIER_PAYER_TIMEOUT": "10",
        "SECRET_KEY": "test-secret",
    }
    for kind in ("visitor", "batch", "cron"):
        Queue(f"{prefix}-{kind}", connection=redis).delete(delete_jobs=True)
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


@contextlib.contextmanager
def serving(make_app: Callable[[Settings], Any], env: dict[str, str]) -> Iterator[LiveServer]:
    with LiveServer(make_app(Settings.from_env(env))) as server:
        yield server


def submit(runtime: Runtime, member_id: str, source: str = "visitor") -> str:
    body = valid_body()
    body["member"]["first_name"], body["member"]["last_name"] = MEMBER_NAME
    body["member"]["member_id"] = member_id + MEMBER_ID_TAIL
    return intake.submit(runtime, submission_from(SubmitSchema().load(body)), source=source).id


def set_row(runtime: Runtime, verification_id: str, **values: Any) -> None:
    with runtime.db.session() as session:
        session.execute(
            update(Verification).where(Verification.id == verification_id).values(**values)
        )


def scrape(http: requests.Session, server: LiveServer, **headers: str) -> requests.Response:
    return http.get(f"{server.url}/metrics", headers=headers, timeout=30)


def test_metrics_count_what_the_database_and_redis_hold(
    own_env: dict[str, str], make_app: Callable[[Settings], Any], http: requests.Session
) -> None:
    with serving(make_app, own_env) as server:
        runtime: Runtime = server.server.app.extensions["verifier"]
        now = utcnow()
        completed = submit(runtime, "SBX-ACTIVE")
        assert run_check(runtime, completed) == "completed"
        failed = submit(runtime, "SBX-NOTFOUND")
        assert run_check(runtime, failed) == "failed"
        old_queued = submit(runtime, "SBX-ACTIVE-Q1")
        set_row(runtime, old_queued, updated_at=now - dt.timedelta(seconds=600))
        submit(runtime, "SBX-ACTIVE-Q2")
        submit(runtime, "SBX-ACTIVE-Q3", source="batch")
        waiting = submit(runtime, "SBX-FLAKY")
        set_row(
            runtime,
            waiting,
            status="retry_wait",
            next_attempt_at=now - dt.timedelta(seconds=120),
        )
        stuck = submit(runtime, "SBX-ACTIVE-R1", source="batch")
        set_row(runtime, stuck, status="running", lease_expires_at=now - dt.timedelta(seconds=60))
        submitted = 7  # every submit above queued a job on the visitor queue

        adapter: Any = runtime.adapters.for_payer("SANDBOX")
        slot = adapter.slots.acquire(30.0, deadline=float("inf"))
        bh: Any = runtime.adapters.for_payer("SANDBOX-BH")
        for _ in range(bh.policy.breaker_threshold):
            bh.breaker.failure()

        response = scrape(http, server)
        adapter.slots.release(slot)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    body = response.text
    samples = parse(body)
    assert value(samples, "verifier_up", component="database") == 1
    assert value(samples, "verifier_up", component="redis") == 1

    active = "verifier_verifications_active"
    assert value(samples, active, status="queued", source="visitor") == 2
    assert value(samples, active, status="queued", source="batch") == 1
    assert value(samples, active, status="retry_wait", source="visitor") == 1
    assert value(samples, active, status="running", source="batch") == 1
    assert value(samples, active, status="running", source="visitor") == 0
    assert value(samples, "verifier_verifications_lease_expired") == 1
    assert 600 <= value(samples, "verifier_queued_oldest_age_seconds") < 700
    assert 120 <= value(samples, "verifier_retry_oldest_overdue_seconds") < 220

    recent = "verifier_verifications_submitted_last_hour"
    assert value(samples, recent, status="completed", source="visitor", reason="") == 1
    assert value(samples, recent, status="failed", source="visitor", reason="member_not_found") == 1
    assert sum(v for (name, _), v in samples.items() if name == recent) == submitted

    assert value(samples, "verifier_queue_jobs", queue="visitor") == submitted
    assert value(samples, "verifier_queue_jobs", queue="batch") == 0
    assert value(samples, "verifier_queue_workers", queue="visitor") == 0
    for queue in ("visitor", "batch", "cron"):
        assert value(samples, "verifier_queue_failed_jobs", queue=queue) == 0

    circuit = "verifier_payer_circuit_state"
    assert value(samples, circuit, payer="SANDBOX-BH", state="open") == 1
    assert value(samples, circuit, payer="SANDBOX-BH", state="closed") == 0
    assert value(samples, circuit, payer="SANDBOX", state="closed") == 1
    assert value(samples, "verifier_payer_slots_in_use", payer="SANDBOX") == 1
    assert value(samples, "verifier_payer_slots_limit", payer="SANDBOX") == 3
    assert ("verifier_payer_slots_limit", (("payer", "SANDBOX-BH"),)) not in samples

    assert value(samples, "verifier_build_info", version="0.1.0", python=_python()) == 1

    # No PHI: nothing the visitor typed (names, member ids, birth date, phone) comes out.
    member = valid_body()["member"]
    for typed in (*MEMBER_NAME, MEMBER_ID_TAIL, member["date_of_birth"], "555-201-3344"):
        assert typed not in body
    for verification_id in (completed, failed, old_queued, waiting, stuck):
        assert verification_id not in body


def _python() -> str:
    import platform

    return platform.python_version()


def test_live_workers_are_counted_per_queue(
    own_env: dict[str, str],
    make_app: Callable[[Settings], Any],
    http: requests.Session,
    tmp_path: Path,
) -> None:
    worker = WorkerProcess(own_env, tmp_path / "worker.log")
    with serving(make_app, own_env) as server:
        worker.start()
        try:

            def workers_seen() -> Samples | None:
                samples = parse(scrape(http, server).text)
                if value(samples, "verifier_queue_workers", queue="visitor") == 1:
                    return samples
                return None

            samples = wait_until(workers_seen, timeout=60, interval=0.5)
        finally:
            worker.stop()
        assert value(samples, "verifier_queue_workers", queue="batch") == 1
        assert value(samples, "verifier_queue_workers", queue="cron") == 0
        # A worker that stopped is no longer counted.
        after = parse(scrape(http, server).text)
        assert value(after, "verifier_queue_workers", queue="visitor") == 0, worker.logs()


def test_a_token_is_required_when_one_is_set(
    settings: Settings, make_app: Callable[[Settings], Any], http: requests.Session
) -> None:
    guarded = dataclasses.replace(settings, metrics_token=TOKEN)
    with LiveServer(make_app(guarded)) as server:
        missing = scrape(http, server)
        wrong = scrape(http, server, Authorization="Bearer " + "x" * len(TOKEN))
        basic = scrape(http, server, Authorization=f"Basic {TOKEN}")
        right = scrape(http, server, Authorization=f"Bearer {TOKEN}")
    for refused in (missing, wrong, basic):
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert "verifier_" not in refused.text
    assert right.status_code == 200
    assert value(parse(right.text), "verifier_up", component="database") == 1


def test_redis_down_still_answers_with_up_zero(
    settings: Settings, make_app: Callable[[Settings], Any], http: requests.Session
) -> None:
    down = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with LiveServer(make_app(down)) as server:
        response = scrape(http, server)
    assert response.status_code == 200
    samples = parse(response.text)
    assert value(samples, "verifier_up", component="redis") == 0
    assert value(samples, "verifier_up", component="database") == 1
    assert "verifier_verifications_active" in names(samples)
    assert "verifier_queue_jobs" not in names(samples)


def test_database_down_still_answers_with_up_zero(
    settings: Settings, make_app: Callable[[Settings], Any], http: requests.Session
) -> None:
    down = dataclasses.replace(
        settings, database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    )
    with LiveServer(make_app(down)) as server:
        response = scrape(http, server)
    assert response.status_code == 200
    samples = parse(response.text)
    assert value(samples, "verifier_up", component="database") == 0
    assert value(samples, "verifier_up", component="redis") == 1
    assert "verifier_verifications_active" not in names(samples)
    assert "verifier_queue_jobs" in names(samples)

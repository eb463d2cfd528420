"""End to end: a check finishes, and a real RQ worker on the webhooks queue posts it.

The worker is the one ``make run`` starts (worker_argv, rq_env on the webhooks
queue); the receiver is real HTTP on loopback; the signature is checked with the
``standardwebhooks`` package.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from config.settings import Settings
from tests.conftest import ROOT, wait_until
from tests.unit.webhooks.conftest import Receiver, receiver, submit  # noqa: F401 - fixture
from verifier.runtime import Runtime
from verifier.store.models import WebhookEndpoint
from verifier.supervisor import rq_env, worker_argv
from verifier.verifications.check import run_check
from verifier.verifications.queue import WEBHOOKS
from verifier.webhooks import endpoints, events


@pytest.fixture
def webhooks_worker(
    inline_settings: Settings, service_env: dict[str, str], tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    prefix = inline_settings.queue_prefix
    env = (
        dict(os.environ)
        | service_env
        | {
            "VERIFIER_QUEUE_PREFIX": prefix,
            "PYTHONPATH": str(ROOT),
        }
        | rq_env(service_env["REDIS_URL"])
    )
    argv = worker_argv(prefix, WEBHOOKS)
    with (tmp_path / "worker.log").open("ab") as log:
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    yield process
    process.terminate()
    process.wait(15)


def test_a_finished_check_reaches_the_receiver_through_the_webhooks_worker(
    make_app: Callable[[Settings], Any],
    inline_settings: Settings,
    receiver: Receiver,  # noqa: F811
    webhooks_worker: subprocess.Popen[bytes],
) -> None:
    runtime: Runtime = make_app(dataclasses.replace(inline_settings)).extensions["verifier"]
    try:
        created = endpoints.add(
            runtime, receiver.url, [events.VERIFICATION_COMPLETED], created_by="admin"
        )
        vid = submit(runtime)
        assert run_check(runtime, vid) == "completed"
        wait_until(lambda: receiver.requests, timeout=30)
        got = receiver.requests[0]
        document = Webhook(created.secret).verify(got.body, got.headers)
        assert document["data"]["verification_id"] == vid
    finally:
        from sqlalchemy import delete

        with runtime.db.session() as session:
            session.execute(delete(WebhookEndpoint))

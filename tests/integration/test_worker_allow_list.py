"""Write access to Redis is not code execution: workers run only verifier's own jobs.

A real ``rq worker --burst`` (the argv make run uses) on a private queue of the real
Redis; the hostile job is the one the review enqueued, ``shutil.copyfile`` of a secret.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import uuid
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import JobStatus
from rq.serializers import DefaultSerializer, JSONSerializer

from tests.conftest import ROOT, migrated_database
from verifier.supervisor import maintenance_worker_argv, rq_env, verification_worker_argv

pytestmark = pytest.mark.slow


def burst(argv: list[str], queue: str, env: dict[str, str]) -> str:
    full = dict(os.environ) | env | rq_env(env["REDIS_URL"]) | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*argv, "--burst", queue],
        env=full,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return (done.stdout + done.stderr).decode(errors="replace")


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "data.key"
    source.write_text("the data key")
    return source, tmp_path / "stolen.key"


def test_a_verification_worker_refuses_and_logs_a_job_outside_its_allow_list(
    redis: Redis, service_env: dict[str, str], secret: tuple[Path, Path]
) -> None:
    name = f"hostile{uuid.uuid4().hex[:8]}"
    queue = Queue(name, connection=redis, serializer=JSONSerializer)
    job = queue.enqueue("shutil.copyfile", str(secret[0]), str(secret[1]))

    output = burst(verification_worker_argv(), name, service_env)

    assert not secret[1].exists()
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert f"refused job {job.id}: shutil.copyfile is not an allowed job function" in output
    queue.delete(delete_jobs=True)


class _Payload:
    """Unpickling this runs shutil.copyfile: what a stock pickle reader would do."""

    def __init__(self, source: Path, target: Path) -> None:
        self.paths = (str(source), str(target))

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        import shutil

        return shutil.copyfile, self.paths


def test_the_maintenance_worker_unpickles_no_code_and_refuses_other_jobs(
    redis: Redis, service_env: dict[str, str], secret: tuple[Path, Path]
) -> None:
    name = f"hostilecron{uuid.uuid4().hex[:8]}"
    queue = Queue(name, connection=redis, serializer=DefaultSerializer)
    plain = queue.enqueue("shutil.copyfile", str(secret[0]), str(secret[1]))
    smuggled = queue.enqueue("workers.maintenance.reconcile")
    # The job's data rewritten by hand: the arguments now unpickle into a call.
    redis.hset(
        smuggled.key,
        "data",
        pickle.dumps(("workers.maintenance.reconcile", None, (_Payload(*secret),), {})),
    )

    output = burst(maintenance_worker_argv(), name, service_env)

    assert not secret[1].exists()
    assert f"refused job {plain.id}: shutil.copyfile is not an allowed job function" in output
    assert f"refused job {smuggled.id}: (unreadable job data)" in output
    queue.delete(delete_jobs=True)


def test_the_maintenance_worker_still_runs_the_cron_jobs(
    redis: Redis, service_env: dict[str, str], tmp_path: Path
) -> None:
    name = f"cron{uuid.uuid4().hex[:8]}"
    queue = Queue(name, connection=redis, serializer=DefaultSerializer)  # as rq cron does
    job = queue.enqueue("workers.maintenance.reconcile")

    with migrated_database("sqlite", tmp_path) as url:  # reconcile sweeps a whole database
        env = service_env | {"DATABASE_URL": url, "VERIFIER_QUEUE_PREFIX": name}
        burst(maintenance_worker_argv(), name, env)

    job.refresh()
    assert job.get_status() == JobStatus.FINISHED
    queue.delete(delete_jobs=True)

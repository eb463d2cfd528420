"""The database goes away (PostgreSQL stopped) or fills up (a full disk) under live traffic.

While it is down the API answers 503 with Retry-After; nothing accepted before is lost;
once it is back, every verification reaches a final state with one stored answer.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from pathlib import Path

from tests.conftest import WorkerProcess, wait_until
from tests.fakes import x12_responses as x12
from tests.fakes.payer_server import FakePayer, Reply
from tests.fakes.submissions import valid_body
from tests.faults.conftest import assert_sound
from tests.faults.private_services import private_postgres, small_tmpfs
from tests.integration.test_scheduler import PAYER, age_one_lease, row_of, submit, write_directory
from verifier.runtime import Runtime
from verifier.store.migrate import upgrade
from verifier.verifications import maintenance

URL = "/api/v1/verifications"
BODY = valid_body() | {"payer_id": PAYER}  # the fake payer, so its calls are counted


def _env(
    redis_url: str, data_key: str, database_url: str, payer: FakePayer, tmp: Path
) -> dict[str, str]:
    return {
        "VERIFIER_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VERIFIER_DATA_KEY": data_key,
        "VERIFIER_QUEUE_PREFIX": f"vdb{uuid.uuid4().hex[:10]}",
        "VERIFIER_PAYERS_FILE": str(write_directory(tmp / "payers.toml", payer.url)),
        "VERIFIER_RETRY_INTERVALS": "1,1",
        "VERIFIER_JOB_TIMEOUT": "30",
        "VERIFIER_LEASE_SECONDS": "40",
        "VERIFIER_PAYER_TIMEOUT": "10",
        "SECRET_KEY": "test-secret",
    }


def _finish_all(runtime: Runtime, ids: list[str], timeout: float = 90) -> None:
    """As the cron would: reconcile every few seconds, the rows' leases run out."""

    def done() -> bool:
        age_one_lease(runtime, [v for v in ids if row_of(runtime, v).status != "completed"])
        maintenance.reconcile(runtime)
        return all(row_of(runtime, v).status == "completed" for v in ids)

    wait_until(done, timeout=timeout, interval=2)


def test_postgresql_stopped_mid_check_then_started_loses_nothing(
    redis_url: str,
    data_key: str,
    payer: FakePayer,
    tmp_path: Path,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=3), Reply(body=x12.answer()))
    with private_postgres() as cluster:
        upgrade(cluster.url)
        env = _env(redis_url, data_key, cluster.url, payer, tmp_path)
        runtime = runtime_for(env)
        client = runtime.app.test_client()  # type: ignore[attr-defined]
        worker = start_worker(env)
        first = submit(runtime)
        wait_until(lambda: payer.count("/x12") == 1, timeout=30)
        cluster.stop()  # the payer answers while the database is down
        refused = client.post(URL, json=BODY)
        assert refused.status_code == 503 and "database" in refused.get_json()["errors"]
        assert int(refused.headers["Retry-After"]) > 0
        cluster.start()
        second = submit(runtime)
        try:
            _finish_all(runtime, [first, second])
            assert worker.process is not None and worker.process.poll() is None
            assert_sound(runtime, [first, second], payer.count("/x12"), calls_may_repeat=True)
        except AssertionError:
            print(worker.logs()[-6000:])
            raise
        finally:
            worker.stop()
            runtime.db.dispose()


def test_a_full_disk_refuses_new_work_with_503_and_keeps_what_it_accepted(
    redis_url: str,
    data_key: str,
    payer: FakePayer,
    tmp_path: Path,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    payer.on("/x12", Reply(body=x12.answer()))
    with small_tmpfs(tmp_path / "disk", megabytes=6) as disk:
        url = f"sqlite:///{disk / 'verifier.db'}"
        upgrade(url)
        env = _env(redis_url, data_key, url, payer, tmp_path)
        runtime = runtime_for(env)
        client = runtime.app.test_client()  # type: ignore[attr-defined]
        accepted = [client.post(URL, json=BODY).get_json()["id"] for _ in range(3)]
        filler = disk / "filler"
        with filler.open("wb") as handle, contextlib.suppress(OSError):
            while True:  # the disk fills up
                handle.write(b"\0" * 65536)
                handle.flush()
        for _ in range(300):
            response = client.post(URL, json=BODY)
            if response.status_code == 503:
                break
            assert response.status_code == 202
            accepted.append(response.get_json()["id"])
        else:
            raise AssertionError("the full disk never refused a write")
        assert "database" in response.get_json()["errors"]
        filler.unlink()  # space again
        worker = start_worker(env)
        after = client.post(URL, json=BODY)
        assert after.status_code == 202
        ids = [*accepted, after.get_json()["id"]]
        try:
            _finish_all(runtime, ids)
            assert_sound(runtime, ids, payer.count("/x12"), calls_may_repeat=True)
        except AssertionError:
            print(worker.logs()[-6000:])
            raise
        finally:
            worker.stop()
            runtime.db.dispose()

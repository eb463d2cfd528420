"""Redis goes away under a running check and comes back: the worker and the answer survive."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import WorkerProcess, wait_until
from tests.fakes import x12_responses as x12
from tests.fakes.payer_server import FakePayer, Reply
from tests.faults.conftest import PrivateRedis, assert_sound, wait_final
from tests.integration.test_scheduler import row_of, submit
from verifier.runtime import Runtime


def test_redis_killed_and_restarted_during_a_check_keeps_the_worker_and_the_answer(
    drill_env: dict[str, str],
    private_redis: PrivateRedis,
    payer: FakePayer,
    runtime_for: Callable[..., Runtime],
    start_worker: Callable[[dict[str, str]], WorkerProcess],
) -> None:
    env = drill_env | {"REDIS_URL": private_redis.url}
    payer.on("/x12", Reply(body=x12.answer(), delay=3), Reply(body=x12.answer()))
    runtime = runtime_for(env)
    worker = start_worker(env)
    first = submit(runtime)
    wait_until(lambda: payer.count("/x12") == 1, timeout=30)

    private_redis.kill()  # the payer answers while Redis is gone
    wait_until(lambda: row_of(runtime, first).status == "completed", timeout=20)
    private_redis.start()  # from its append-only file, on the same port

    second = submit(runtime)  # the same worker serves the next one
    try:
        wait_final(runtime, [first, second], timeout=60)
        assert worker.process is not None and worker.process.poll() is None, "worker exited"
        assert_sound(runtime, [first, second], payer.count("/x12"))
    except AssertionError:
        print(worker.logs()[-6000:])
        raise

"""Refresh 2,000 waiting verifications against a slow, rate-limited payer; print the figures.

The payer (the fake payer server, on loopback) answers each 270 in ``--latency`` seconds
(default 1 s) and the directory limits it to ``--rate`` checks per second (default 100),
so no design can finish faster than count / rate (the floor: 20 s). The verifications
wait in ``retry_wait`` (a payer outage just ended); the clock starts when ``refresh_due``
runs and stops when every row is final. Workers are real ``rq worker`` processes on an
embedded Redis and a scratch SQLite database; each batch job checks its ids in threads.

    .venv/bin/python bench/refresh.py [--count 2000] [--workers 2] [--threads 80]
        [--postgres postgresql://postgres@127.0.0.1:5432/test]

SQLite by default (``make run``'s store); ``--postgres`` names a server (and a database
to connect through) on which a scratch database is created for the run and dropped.

Prints the wall time next to the floor and the peak RSS of all worker processes
(workers and their work-horses, summed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from redis import Redis  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from config.settings import Settings  # noqa: E402
from tests.fakes import x12_responses as x12  # noqa: E402
from tests.fakes.payer_server import FakePayer, Reply  # noqa: E402
from tests.fakes.submissions import valid_body  # noqa: E402
from tests.scratch_postgres import scratch_postgres  # noqa: E402
from verifier import create_app  # noqa: E402
from verifier.store.crypto import generate_key_spec  # noqa: E402
from verifier.store.migrate import upgrade  # noqa: E402
from verifier.store.models import Verification  # noqa: E402
from verifier.supervisor import (  # noqa: E402
    free_port,
    redis_server_argv,
    rq_env,
    verification_worker_argv,
    wait_for_port,
)
from verifier.verifications import lifecycle, maintenance  # noqa: E402
from verifier.verifications.intake import submit  # noqa: E402
from verifier.verifications.schemas import SubmitSchema, submission_from  # noqa: E402

DIRECTORY = """
[payers.BENCH]
name = "Bench Plan"
adapter = "x12_http"
framing = "raw"
endpoint = "{url}/x12"
in_network = true
timeout = 10
rate_limit = {rate}
max_concurrency = {concurrency}
options = {{ retries = 0, breaker_threshold = 100000 }}
capabilities = {{ real_time = true, multiple_service_types = true }}
"""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100.0, help="payer checks per second")
    parser.add_argument("--latency", type=float, default=1.0, help="payer seconds per answer")
    parser.add_argument("--workers", type=int, default=2, help="rq worker processes")
    parser.add_argument("--threads", type=int, default=80, help="checks at once per job")
    parser.add_argument("--chunk", type=int, default=1000, help="verifications per batch job")
    parser.add_argument("--postgres", metavar="URL", help="run on a scratch PostgreSQL database")
    return parser.parse_args()


class RssSampler(threading.Thread):
    """Peak of the summed RSS of the worker processes and their children."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            total = 0
            for pid in self.pids:
                with contextlib.suppress(psutil.Error):
                    parent = psutil.Process(pid)
                    total += parent.memory_info().rss
                    for child in parent.children(recursive=True):
                        with contextlib.suppress(psutil.Error):
                            total += child.memory_info().rss
                            times = child.cpu_times()
                            self.cpu[child.pid] = times.user + times.system
            self.peak = max(self.peak, total)


def main() -> int:
    args = arguments()
    if args.postgres:
        with scratch_postgres(args.postgres, "verifier_bench_refresh") as url:
            return run(args, url)
    return run(args, None)


def run(args: argparse.Namespace, database_url: str | None) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="verifier-bench-"))
    port = free_port()
    redis_server = subprocess.Popen(
        redis_server_argv(port, scratch, persistent=False), stdout=subprocess.DEVNULL
    )
    workers: list[subprocess.Popen[bytes]] = []
    engines: list[Any] = []
    try:
        wait_for_port(port)
        with FakePayer() as payer:
            payer.on("/x12", Reply(body=x12.answer(), delay=args.latency))
            payer.server.socket.listen(1024)  # a real payer's backlog, not http.server's 5
            payers_file = scratch / "payers.toml"
            concurrency = int(args.rate * (args.latency + 1) * 2)
            payers_file.write_text(
                DIRECTORY.format(url=payer.url, rate=args.rate, concurrency=concurrency)
            )
            env = {
                "VERIFIER_ENV": "development",
                "DATABASE_URL": database_url or f"sqlite:///{scratch / 'verifier.db'}",
                "REDIS_URL": f"redis://127.0.0.1:{port}/0",
                "VERIFIER_DATA_KEY": generate_key_spec("bench"),
                "SECRET_KEY": "bench",
                "VERIFIER_QUEUE_PREFIX": "bench",
                "VERIFIER_PAYERS_FILE": str(payers_file),
                "VERIFIER_WORKER_THREADS": str(args.threads),
                "VERIFIER_BATCH_CHUNK": str(args.chunk),
                "LOG_LEVEL": "WARNING",
            }
            upgrade(env["DATABASE_URL"])
            app = create_app(Settings.from_env(env))
            runtime = app.extensions["verifier"]
            engines.append(runtime.db)
            seeded = time.monotonic()
            ids = seed(runtime, args.count)
            print(f"seeded {len(ids)} in {time.monotonic() - seeded:.1f} s", file=sys.stderr)
            Redis.from_url(env["REDIS_URL"]).flushall()  # the submit jobs: start from the rows
            workers = [start_worker(env, scratch / f"worker-{n}.log") for n in range(args.workers)]
            time.sleep(3)  # let the workers import and register
            sampler = RssSampler([w.pid for w in workers])
            sampler.start()
            started = time.monotonic()
            enqueued = maintenance.refresh_due(runtime)
            assert enqueued == len(ids), enqueued
            final = wait_final(runtime, len(ids))
            wall = time.monotonic() - started
            sampler.stop.set()
            sampler.join()
            report(args, wall, sampler.peak, final, payer.count("/x12"), env["DATABASE_URL"])
            own = psutil.Process().cpu_times()
            print(
                f"cpu seconds       horses {sum(sampler.cpu.values()):.1f}, "
                f"bench+payer {own.user + own.system:.1f}"
            )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis_server.terminate()
        redis_server.wait(10)
        for db in engines:
            db.dispose()  # before a scratch PostgreSQL database is dropped
    return 0


def seed(runtime: object, count: int) -> list[str]:
    """``count`` batch verifications waiting for a retry that is due now."""
    body = valid_body()
    body["payer_id"] = "BENCH"
    ids = []
    for n in range(count):
        body["member"]["member_id"] = f"W{n:09d}"
        data = SubmitSchema().load(body)
        ids.append(submit(runtime, submission_from(data), source="batch").id)  # type: ignore[arg-type]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with runtime.db.session() as session:  # type: ignore[attr-defined]
        session.execute(
            update(Verification).values(
                status=lifecycle.RETRY_WAIT, reason="payer_unavailable", next_attempt_at=past
            )
        )
    return ids


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    argv = [
        *verification_worker_argv(),
        "--logging_level",
        "WARNING",
        "bench-visitor",
        "bench-batch",
    ]
    full_env = dict(os.environ) | env | rq_env(env["REDIS_URL"]) | {"PYTHONPATH": str(ROOT)}
    with log.open("ab") as handle:
        return subprocess.Popen(argv, env=full_env, cwd=ROOT, stdout=handle, stderr=handle)


def wait_final(runtime: object, count: int, timeout: float = 600) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        with runtime.db.session() as session:  # type: ignore[attr-defined]
            by_status = dict(
                session.execute(
                    select(Verification.status, func.count()).group_by(Verification.status)
                ).all()
            )
        if sum(by_status.get(s, 0) for s in lifecycle.FINAL) >= count:
            return by_status
        if os.environ.get("BENCH_VERBOSE"):
            print(f"  {time.strftime('%X')} {by_status}", file=sys.stderr, flush=True)
        if time.monotonic() > deadline:
            raise SystemExit(f"not final after {timeout}s: {by_status}")
        time.sleep(1)


def report(
    args: argparse.Namespace,
    wall: float,
    peak_rss: int,
    final: dict[str, int],
    calls: int,
    database_url: str,
) -> None:
    floor = args.count / args.rate
    print(f"database          {make_url(database_url).get_backend_name()}")
    print(f"verifications     {args.count} (final: {final})")
    print(f"payer calls       {calls}")
    print(f"workers x threads {args.workers} x {args.threads} (chunk {args.chunk})")
    print(f"wall time         {wall:.1f} s")
    print(f"floor             {floor:.1f} s  ({args.count} / {args.rate:g} per s)")
    print(f"ratio             {wall / floor:.2f}x (goal <= 1.25x)")
    print(f"peak worker RSS   {peak_rss / 2**20:.0f} MiB (all worker processes)")


if __name__ == "__main__":
    sys.exit(main())

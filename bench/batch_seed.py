"""Seconds to create a 10,000-row CSV batch (POST /api/v1/batches) through the real app.

Times the request alone (validation, sealing, inserts, enqueueing the batch jobs): the
number that has to stay well inside gunicorn's 30 s timeout. No worker runs; the
queued jobs are removed afterwards. SQLite on a scratch file; PostgreSQL in a scratch
database on ``--postgres`` (default the local test server), skipped when it does not
answer. Redis: ``--redis`` (default the local server).

    .venv/bin/python bench/batch_seed.py [--rows 10000] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from config.settings import Settings  # noqa: E402
from tests.scratch_postgres import scratch_postgres  # noqa: E402
from verifier import create_app  # noqa: E402
from verifier.staff import accounts  # noqa: E402
from verifier.store.crypto import generate_key_spec  # noqa: E402
from verifier.store.migrate import upgrade  # noqa: E402
from verifier.verifications.batches import CSV_COLUMNS  # noqa: E402
from verifier.verifications.queue import BATCH, VISITOR, get_queue  # noqa: E402


def census(rows: int) -> str:
    """A CSV like an admissions export: every row valid, every member different."""
    lines = [",".join(CSV_COLUMNS)]
    for n in range(rows):
        cells = dict.fromkeys(CSV_COLUMNS, "")
        cells |= {
            "first_name": "Ada",
            "last_name": f"Quill{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}",
            "date_of_birth": f"19{50 + n % 50}-0{1 + n % 9}-1{n % 10}",
            "member_id": f"SBX-ACTIVE-{n}",
            "relationship": "self",
            "payer_id": "SANDBOX",
            "level_of_care": "iop",
        }
        lines.append(",".join(cells[c] for c in CSV_COLUMNS))
    return "\n".join(lines) + "\n"


def measure(database_url: str, redis_url: str, body: str) -> float:
    upgrade(database_url)
    settings = Settings.from_env(
        {
            "VERIFIER_ENV": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "VERIFIER_DATA_KEY": generate_key_spec("bench"),
            "VERIFIER_QUEUE_PREFIX": f"bench{uuid.uuid4().hex[:8]}",
            "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING",
        }
    )
    app = create_app(settings)
    runtime = app.extensions["verifier"]
    try:
        email = f"bench-{uuid.uuid4().hex[:6]}@center.example"
        accounts.create_user(runtime, email, "coordinator")
        headers = {"Authorization": f"Bearer {accounts.issue_token(runtime, email)[1]}"}
        client = app.test_client()
        started = time.perf_counter()
        response = client.post(
            "/api/v1/batches", data=body, content_type="text/csv", headers=headers
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 202, response.get_data(as_text=True)[:500]
        created = response.get_json()
        assert created["accepted"] == created["total"], created
        return elapsed
    finally:
        for kind in (VISITOR, BATCH):
            get_queue(runtime, kind).delete(delete_jobs=True)
        runtime.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    body = census(args.rows)
    print(f"{args.rows} rows, {len(body) / 1e6:.2f} MB of CSV")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as scratch:
            seconds = measure(f"sqlite:///{scratch}/bench.db", args.redis, body)
            print(f"sqlite      {seconds:6.2f} s")
    if args.backend in ("postgresql", "both"):
        with scratch_postgres(args.postgres, "verifier_bench_seed") as url:
            seconds = measure(url, args.redis, body)
            print(f"postgresql  {seconds:6.2f} s")


if __name__ == "__main__":
    main()

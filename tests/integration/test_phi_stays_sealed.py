"""PHI never reaches Redis, logs, or the database in plaintext (non-negotiable 3).

Submits every sandbox scenario through real HTTP, lets the real worker finish them,
then looks everywhere the data could have leaked to.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import LiveServer, WorkerProcess
from tests.fakes.submissions import valid_body
from tests.fakes.visitor import poll
from verifier.payers.sandbox import SCENARIOS
from verifier.store.db import normalize_url

FIRST, LAST, DOB = "Ysolde", "Brackenridge", "1979-11-23"


def member_id(prefix: str) -> str:
    return f"{prefix}-PHI9931"


def needles() -> list[str]:
    found = [FIRST.upper(), LAST.upper(), DOB, DOB.replace("-", "")]
    found += [member_id(prefix) for prefix in SCENARIOS]
    return found


def leaks(blob: str) -> list[str]:
    upper = blob.upper()
    return [needle for needle in needles() if needle.upper() in upper]


@pytest.fixture
def finished(
    live_server: LiveServer,
    http: requests.Session,
    worker: WorkerProcess,
    caplog: pytest.LogCaptureFixture,
) -> list[dict[str, Any]]:
    caplog.set_level(logging.DEBUG)
    results = []
    for prefix in SCENARIOS:
        body = valid_body()
        body["member"] |= {
            "first_name": FIRST,
            "last_name": LAST,
            "date_of_birth": DOB,
            "member_id": member_id(prefix),
        }
        if prefix == "SBX-OON":
            body["payer_id"] = "SANDBOX-OON"
        response = http.post(f"{live_server.url}/api/v1/verifications", json=body, timeout=5)
        assert response.status_code == 202
        results.append(poll(live_server, http, response.json(), timeout=60))
    return results


def test_no_phi_in_any_redis_key_or_value(finished: Any, redis: Redis) -> None:
    found: list[str] = []
    for key in redis.scan_iter(count=1000):
        kind = redis.type(key).decode()
        parts: list[bytes] = [key]
        if kind == "string":
            parts.append(redis.get(key) or b"")
        elif kind == "hash":
            parts += [b for pair in redis.hgetall(key).items() for b in pair]
        elif kind == "list":
            parts += redis.lrange(key, 0, -1)
        elif kind == "set":
            parts += list(redis.smembers(key))
        elif kind == "zset":
            parts += [member for member, _ in redis.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            for _, fields in redis.xrange(key):
                parts += [b for pair in fields.items() for b in pair]
        for part in parts:
            found += leaks(part.decode("utf-8", "replace"))
    assert found == []


def test_no_phi_in_the_logs(
    finished: Any, worker: WorkerProcess, caplog: pytest.LogCaptureFixture
) -> None:
    assert "verification" in worker.logs() or worker.logs() == ""
    assert leaks(worker.logs()) == []
    assert leaks("\n".join(record.getMessage() for record in caplog.records)) == []


def test_no_phi_in_plaintext_in_the_database(finished: Any, runtime: Any) -> None:
    url = make_url(normalize_url(runtime.settings.database_url))
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        blob = b"".join(
            candidate.read_bytes()
            for candidate in (path, Path(f"{path}-wal"))
            if candidate.exists()
        )
        assert leaks(blob.decode("latin-1")) == []
        return
    with runtime.db.engine.connect() as connection:
        for table in ("verifications", "attempts", "audit_events"):
            rows = connection.execute(text(f"SELECT row_to_json(t)::text FROM {table} t"))  # noqa: S608
            assert leaks("\n".join(row[0] for row in rows)) == []


def test_failed_jobs_in_redis_keep_no_request_data(finished: Any, redis: Redis) -> None:
    for key in redis.scan_iter(match="rq:job:*"):
        info = redis.hget(key, "exc_info") or b""
        assert leaks(info.decode("utf-8", "replace")) == []
        assert not re.search(rb"member|date_of_birth", info)

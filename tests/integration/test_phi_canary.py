"""A PHI canary through the whole running service: nothing of it leaks anywhere.

Runs ``make run``'s supervisor (embedded Redis with AOF, gunicorn as served, the
workers, cron) on a scratch SQLite database and var/ directory, submits a member whose
name, date of birth, member id and contact are unique canaries, then does what staff
do with them: console and API searches (including the refused GET ?q= a bookmark or an
old script would send), CSV exports, the detail view. Then it greps every log line of
every process, every Redis key and value, the AOF and every file under var/, and the
SQLite database with its WAL: no canary may appear. The same service shows that two
stalled uploads do not stop /healthz, and that var/ is owner-only.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
import requests
from redis import Redis

from tests.conftest import AUDIT_KEY, ROOT, free_port, wait_until
from verifier.store.crypto import generate_key_spec

pytestmark = pytest.mark.slow

FIRST, LAST = "Ottoline", "Wyndhamshire"
DOB, MEMBER_ID = "1961-07-19", "SBX-ACTIVE-CANARY7319"
PHONE, EMAIL = "555-913-4471", "canary.wyndham@example.org"
NEEDLES = (
    FIRST,
    LAST,
    DOB,
    DOB.replace("-", ""),
    "07/19/1961",
    MEMBER_ID,
    PHONE,
    PHONE.replace("-", ""),
    EMAIL,
)


def leaks(blob: bytes) -> list[str]:
    upper = blob.upper()
    return [needle for needle in NEEDLES if needle.upper().encode() in upper]


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    url: str
    var: Path
    database: Path
    env: dict[str, str]
    log: Path

    def flask(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            check=True,
            timeout=60,
        )
        return done.stdout.decode()

    def redis(self) -> Redis:
        conf = (self.var / "redis" / "redis.conf").read_text()
        password = conf.split("requirepass ", 1)[1].split()[0]
        port = int(os.environ.get("CANARY_REDIS_PORT", self.env["VERIFIER_EMBEDDED_REDIS_PORT"]))
        return Redis(port=port, password=password)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp = tmp_path_factory.mktemp("canary")
    port = free_port()
    database = tmp / "run.db"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "VERIFIER_QUEUE_PREFIX")
    } | {
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{database}",
        "VERIFIER_DATA_KEY": generate_key_spec("run"),
        "VERIFIER_AUDIT_KEY": AUDIT_KEY,
        "VERIFIER_QUEUE_PREFIX": f"canary{port}",
        "VERIFIER_VAR_DIR": str(tmp / "var"),
        "VERIFIER_EMBEDDED_REDIS_PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "DEBUG",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp / "run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "verifier.supervisor"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    running = Service(process, url, tmp / "var", database, env, log)
    try:
        try:
            wait_until(lambda: _ready(url), timeout=90, interval=0.3)
        except AssertionError:
            print(log.read_text(errors="replace")[-4000:])
            raise
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _staff(service: Service) -> tuple[str, str, str, str]:
    email = "canary-coordinator@center.example"
    created = service.flask("users", "create", email)
    password = re.search(r"password:\s+(\S+)", created)
    secret = re.search(r"totp secret:\s+(\S+)", created)
    assert password and secret, created
    token = service.flask("users", "token", email).strip()
    return email, password.group(1), secret.group(1), token


def _submit(url: str) -> dict[str, Any]:
    body = {
        "member": {
            "first_name": FIRST,
            "last_name": LAST,
            "date_of_birth": DOB,
            "member_id": MEMBER_ID,
        },
        "payer_id": "SANDBOX",
        "level_of_care": "iop",
        "condition": "mental_health",
        "contact": {"phone": PHONE, "email": EMAIL, "callback_requested": True},
        "consent": True,
    }
    submitted: dict[str, Any] = requests.post(
        f"{url}/api/v1/verifications", json=body, timeout=10
    ).json()

    def done() -> bool:
        data = requests.get(
            f"{url}{submitted['status_url']}",
            headers={"X-Status-Token": submitted["token"]},
            timeout=5,
        ).json()
        return bool(data["status"] == "completed")

    wait_until(done, timeout=60, interval=0.3)
    return submitted


def _console(url: str, email: str, password: str, secret: str) -> None:
    with requests.Session() as browser:
        page = browser.get(f"{url}/console/login", timeout=5).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        signed = browser.post(
            f"{url}/console/login",
            data={
                "csrf_token": csrf.group(1),
                "email": email,
                "password": password,
                "code": pyotp.TOTP(secret).now(),
            },
            timeout=10,
        )
        assert signed.url.endswith("/console/password"), signed.status_code
        form = browser.get(f"{url}/console/password", timeout=5).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        chosen = browser.post(
            f"{url}/console/password",
            data={
                "csrf_token": token.group(1),
                "current": password,
                "new": "canary passphrase 1",
                "again": "canary passphrase 1",
            },
            timeout=10,
        )
        assert chosen.url.endswith("/console"), chosen.status_code
        form = browser.get(f"{url}/console/search", timeout=5).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        for term in (LAST, DOB, MEMBER_ID, "07/19/1961"):
            found = browser.post(
                f"{url}/console/search",
                data={"csrf_token": token.group(1), "q": term},
                timeout=10,
            )
            assert found.status_code == 200 and "1 found." in found.text, term
        exported = browser.post(
            f"{url}/console/export.csv", data={"csrf_token": token.group(1), "q": LAST}, timeout=10
        )
        assert LAST.upper() in exported.text
        # What a bookmark or an old link would send: refused, and not logged either.
        browser.get(f"{url}/console/search", params={"q": LAST}, timeout=5)
        browser.get(f"{url}/console/export.csv", params={"q": DOB}, timeout=5)
        browser.get(f"{url}/console/login", params={"next": f"/console/search?q={LAST}"}, timeout=5)


def _api(url: str, token: str, verification_id: str) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    found = requests.post(
        f"{url}/api/v1/verifications/search", json={"q": MEMBER_ID}, headers=bearer, timeout=10
    ).json()
    assert [item["id"] for item in found["items"]] == [verification_id]
    exported = requests.post(
        f"{url}/api/v1/verifications/export.csv", json={"q": DOB}, headers=bearer, timeout=10
    )
    assert MEMBER_ID in exported.text
    detail = requests.get(
        f"{url}/api/v1/verifications/{verification_id}", headers=bearer, timeout=10
    )
    assert detail.json()["member"]["member_id"] == MEMBER_ID
    for path in ("", "/export.csv"):
        refused = requests.get(
            f"{url}/api/v1/verifications{path}", params={"q": LAST}, headers=bearer, timeout=5
        )
        assert refused.status_code == 422


def _redis_dump(client: Redis) -> bytes:
    """Every key and every value (strings, hashes, lists, sets, sorted sets, streams)."""
    parts: list[bytes] = []
    for key in client.scan_iter(count=1000):
        parts.append(key)
        kind = client.type(key)
        if kind == b"string":
            parts.append(client.get(key) or b"")
        elif kind == b"hash":
            for field, value in client.hgetall(key).items():
                parts += [field, value]
        elif kind == b"list":
            parts += client.lrange(key, 0, -1)
        elif kind == b"set":
            parts += list(client.smembers(key))
        elif kind == b"zset":
            parts += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == b"stream":
            parts += [repr(entry).encode() for entry in client.xrange(key)]
    return b"\n".join(parts)


def _stall(url: str) -> socket.socket:
    """Headers promising 1,000 bytes of body, then 5 bytes, then nothing."""
    host, port = url.removeprefix("http://").split(":")
    stalled = socket.create_connection((host, int(port)), timeout=5)
    stalled.sendall(
        b"POST /api/v1/verifications HTTP/1.1\r\nHost: x\r\n"
        b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"me'
    )
    return stalled


def test_stalled_uploads_do_not_stop_the_web_tier(service: Service) -> None:
    stalled = [_stall(service.url) for _ in range(4)]  # twice the web processes
    try:
        time.sleep(0.5)
        started = time.monotonic()
        assert requests.get(f"{service.url}/healthz", timeout=5).status_code == 200
        assert requests.get(f"{service.url}/verify", timeout=5).status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for connection in stalled:
            connection.close()


def test_var_and_the_database_are_owner_only(service: Service) -> None:
    assert service.var.stat().st_mode & 0o777 == 0o700
    paths = [p for p in service.var.rglob("*")] + list(service.database.parent.glob("run.db*"))
    assert paths
    assert {str(p): oct(p.stat().st_mode & 0o777) for p in paths if p.stat().st_mode & 0o077} == {}


# Last: it stops the service to read the files it leaves.
def test_no_canary_reaches_any_log_redis_aof_or_database_file(service: Service) -> None:
    email, password, secret, token = _staff(service)
    submitted = _submit(service.url)
    _console(service.url, email, password, secret)
    _api(service.url, token, submitted["id"])
    redis_blob = _redis_dump(service.redis())
    service.redis().bgrewriteaof()
    time.sleep(1)

    os.killpg(service.process.pid, signal.SIGINT)
    assert service.process.wait(30) == 0

    found = {"redis keys and values": leaks(redis_blob)}
    logs = service.log.read_bytes()
    assert b'"GET /console/search HTTP/1.1" 400' in logs  # the access log is there ...
    assert b"POST /api/v1/verifications/search" in logs
    found["logs of every process"] = leaks(logs)
    files = [p for p in service.var.rglob("*") if p.is_file()]
    assert any("aof" in p.name for p in files), files  # ... and so is the AOF
    files += [p for p in service.database.parent.glob("run.db*")]
    for path in files:
        found[str(path)] = leaks(path.read_bytes())
    assert {where: what for where, what in found.items() if what} == {}

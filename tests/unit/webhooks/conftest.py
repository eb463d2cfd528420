"""Webhook fixtures: a real HTTP receiver on loopback, endpoints cleaned up after each test.

The receiver is a threaded ``http.server`` that records every request (headers and the
raw body, as a CRM would get them) and answers as the test scripts it: a status code,
optionally after a delay (for timeouts).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from config.settings import Settings
from tests.fakes.submissions import valid_body
from verifier.runtime import Runtime
from verifier.store.models import WebhookEndpoint
from verifier.verifications import intake
from verifier.verifications.schemas import SubmitSchema, submission_from


@dataclass
class Received:
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    script: list[tuple[int, float]] = field(default_factory=list)  # (status, delay)

    def answer(self, *replies: int | tuple[int, float]) -> None:
        """The next replies, in order; after them every request gets 200."""
        self.script.extend(r if isinstance(r, tuple) else (r, 0.0) for r in replies)


def _handler(receiver: Receiver, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            with lock:
                receiver.requests.append(Received(dict(self.headers.items()), body))
                status, delay = receiver.script.pop(0) if receiver.script else (200, 0.0)
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    lock = threading.Lock()
    holder = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder, lock))
    server.daemon_threads = True
    holder.url = f"http://127.0.0.1:{server.server_port}/hooks/verifier"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder
    server.shutdown()
    server.server_close()
    thread.join(5)


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made here: nothing from outside."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "receiver.pem", directory / "receiver.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def https_receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """The receiver behind TLS; requests trusts its certificate (REQUESTS_CA_BUNDLE)."""
    import ssl

    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    lock = threading.Lock()
    holder = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder, lock))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    holder.url = f"https://127.0.0.1:{server.server_port}/hooks/verifier"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def webhook_settings(inline_settings: Settings) -> Settings:
    """No session worker takes these checks; deliveries have a short timeout."""
    import dataclasses

    return dataclasses.replace(inline_settings, webhook_timeout=1.0)


@pytest.fixture
def hook_runtime(
    make_app: Callable[[Settings], Any], webhook_settings: Settings
) -> Iterator[Runtime]:
    runtime: Runtime = make_app(webhook_settings).extensions["verifier"]
    yield runtime
    with runtime.db.session() as session:  # endpoints would get the next tests' events
        session.execute(delete(WebhookEndpoint))


def submit(runtime: Runtime, member_id: str = "SBX-ACTIVE-1001") -> str:
    body = valid_body()
    body["member"]["member_id"] = member_id
    return intake.submit(runtime, submission_from(SubmitSchema().load(body))).id

"""A real HTTP payer on loopback whose answers each test scripts.

Routes are scripted per path with a queue of ``Reply``s: each request takes the next one,
and the last one repeats. A reply can be a fixed body or a function of the captured
request (to answer a 270 with a 271 built for it), be late, drip its body a byte at a
time, lie about its length, or close the connection without answering. Every request is
captured, so tests count calls exactly.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Captured:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


Body = bytes | str | Callable[[Captured], "bytes | str | Reply"]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay: float = 0.0  # seconds before the status line
    drip: float | None = None  # seconds between body bytes
    close: bool = False  # drop the connection without answering
    declared_length: int | None = None  # a Content-Length that differs from the body


def json_reply(data: Any, status: int = 200, **kwargs: Any) -> Reply:
    return Reply(status, json.dumps(data), content_type="application/json", **kwargs)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # a real payer's backlog, not socketserver's 5

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-answer are what the timeout tests do; stay quiet."""


class FakePayer:
    """Start with ``with FakePayer() as payer``; ``payer.url`` is its base URL."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.captured: list[Captured] = []
        self.connections = 0  # TCP connections accepted: tells reuse from reconnecting
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakePayer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def on(self, path: str, *replies: Reply) -> FakePayer:
        """Script ``path``: each request takes the next reply; the last one repeats."""
        with self._lock:
            self._routes[path] = list(replies)
        return self

    def calls(self, path: str | None = None) -> list[Captured]:
        with self._lock:
            return [c for c in self.captured if path is None or c.path == path]

    def count(self, path: str | None = None) -> int:
        return len(self.calls(path))

    def _next(self, path: str) -> Reply:
        with self._lock:
            queue = self._routes.get(path)
            if not queue:
                return Reply(404, "no route scripted", content_type="text/plain")
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        payer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def setup(self) -> None:
                with payer._lock:
                    payer.connections += 1
                super().setup()

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                captured = Captured(self.command, path, query, dict(self.headers.items()), body)
                with payer._lock:
                    payer.captured.append(captured)
                reply = payer._next(path)
                payload = reply.body(captured) if callable(reply.body) else reply.body
                if isinstance(payload, Reply):  # the outer reply's timing faults still apply
                    reply = dataclasses.replace(
                        payload,
                        delay=reply.delay or payload.delay,
                        drip=reply.drip if reply.drip is not None else payload.drip,
                        close=reply.close or payload.close,
                    )
                    payload = reply.body if not callable(reply.body) else reply.body(captured)
                data = payload.encode() if isinstance(payload, str) else bytes(payload)  # type: ignore[arg-type]
                if reply.delay:
                    payer._stopping.wait(reply.delay)
                if reply.close:
                    self.close_connection = True
                    return
                self._write(reply, data)

            def _write(self, reply: Reply, data: bytes) -> None:
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                declared = len(data) if reply.declared_length is None else reply.declared_length
                self.send_header("Content-Length", str(declared))
                if reply.declared_length is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    if reply.drip is None:
                        self.wfile.write(data)
                    else:
                        for index in range(len(data)):
                            if payer._stopping.is_set():
                                return
                            self.wfile.write(data[index : index + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        return Handler


def serve() -> Iterator[FakePayer]:
    """For fixtures: ``yield from serve()``."""
    with FakePayer() as payer:
        yield payer

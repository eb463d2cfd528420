"""One HTTP exchange with a payer, bounded in time and size, with failures already typed.

Every adapter sends through ``HttpTransport`` so that no call escapes a timeout: connect and
read timeouts come from the directory (or settings), the whole exchange is bounded by the
attempt's deadline (``verifier.payers.deadline``), and the body is read in small pieces so a
server that drip-feeds bytes cannot hold a worker past it. Retries are not done here (nor by
urllib3): the resilience layer decides, so the number of calls to a payer is exact.
"""

from __future__ import annotations

import contextlib
import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from config.settings import Settings
from verifier.domain import RequestError, RetryClass
from verifier.payers import deadline
from verifier.payers.base import (
    Exchange,
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)

MAX_RESPONSE_BYTES = 2 * 1024 * 1024
CHUNK_BYTES = 16 * 1024
CONNECT_TIMEOUT = 5.0
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "verifier-eligibility/0.1"
POOL_SIZE = 10  # requests' own default: kept connections per host


def pool_size(settings: Settings, max_concurrency: int | None = None) -> int:
    """Connections worth keeping to one payer: as many as this process calls it at once.

    A batch job calls from ``worker_threads`` threads; with requests' default pool of 10,
    every call past the tenth opened a new connection and threw it away afterwards.
    """
    size = max(POOL_SIZE, settings.worker_threads)
    return min(size, max_concurrency) if max_concurrency else size


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


class HttpTransport:
    """A ``requests.Session`` of its own, and the rules every payer call obeys."""

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int = MAX_RESPONSE_BYTES,
        cert: str | tuple[str, str] | None = None,
        verify: bool | str = True,
        pool: int = POOL_SIZE,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.session = requests.Session()
        # No retries here (the resilience layer counts calls); a pool for every thread.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(1, pool), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.cert = cert
        self.session.verify = verify
        self.session.trust_env = False  # no proxies or netrc picked up from the worker's env

    def close(self) -> None:
        self.session.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        exchange: Exchange | None = None,
        data: Mapping[str, str] | None = None,
    ) -> HttpReply:
        """Send and read the whole reply; raise PayerUnavailable on timeouts and lost connections.

        Statuses are returned as they are: the caller decides what a 4xx means for its API.
        ``exchange`` is what is attached to any error raised here (raw request, for staff).
        """
        exchange = exchange or Exchange()
        budget = min(self.timeout, deadline.remaining(self.timeout))
        if budget <= 0:
            raise PayerUnavailable("attempt deadline passed before the call", exchange=exchange)
        ends = time.monotonic() + budget
        try:
            response = self.session.request(
                method,
                url,
                data=body if body is not None else data,
                headers=dict(headers or {}),
                timeout=(min(CONNECT_TIMEOUT, budget), budget),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError:
            raise PayerAuthError("TLS handshake with the payer failed", exchange=exchange) from None
        except requests.exceptions.Timeout:
            raise PayerUnavailable("payer did not answer in time", exchange=exchange) from None
        except requests.exceptions.RequestException as exc:
            raise PayerUnavailable(
                f"payer connection failed ({type(exc).__name__})", exchange=exchange
            ) from None
        with response:
            payload = self._read_body(response, ends, exchange)
            return HttpReply(response.status_code, dict(response.headers), payload)

    def _read_body(self, response: requests.Response, ends: float, exchange: Exchange) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise PayerResponseInvalid("payer response too large", exchange=exchange)
        raw: Any = response.raw
        parts: list[bytes] = []
        size = 0
        try:
            while True:
                left = ends - time.monotonic()
                if left <= 0:
                    raise PayerUnavailable("payer response too slow", exchange=exchange)
                _tighten_socket_timeout(raw, left)
                chunk = raw.read1(CHUNK_BYTES, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise PayerResponseInvalid("payer response too large", exchange=exchange)
                parts.append(chunk)
        except (PayerUnavailable, PayerResponseInvalid):
            raise
        except TimeoutError:
            raise PayerUnavailable("payer response too slow", exchange=exchange) from None
        except Exception as exc:  # urllib3 protocol errors: connection cut mid-body
            if "timed out" in str(exc).lower():
                raise PayerUnavailable("payer response too slow", exchange=exchange) from None
            raise PayerUnavailable(
                f"payer connection broke mid-response ({type(exc).__name__})", exchange=exchange
            ) from None
        return b"".join(parts)


def _tighten_socket_timeout(raw: Any, seconds: float) -> None:
    """Make the next socket read wait no longer than the time left (best effort)."""
    connection = getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(0.01, seconds))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def transport_error(status: int, description: str) -> RequestError:
    """A RequestError for an HTTP-level refusal (no AAA): a person must look at it."""
    return RequestError(
        loop="transport",
        valid_request=False,
        reject_code=f"HTTP{status}",
        reject_description=description,
        follow_up=None,
        follow_up_description=None,
        retry_class=RetryClass.CONFIGURATION,
    )


def raise_for_status(reply: HttpReply, exchange: Exchange) -> None:
    """The statuses every API means the same way; 2xx passes through."""
    status = reply.status
    if 200 <= status < 300:
        return
    if status in RETRY_STATUSES or status >= 500:
        raise PayerUnavailable(
            f"payer answered HTTP {status}",
            retry_after=retry_after_seconds(reply.headers.get("Retry-After")),
            exchange=exchange,
        )
    if status in (401, 403):
        raise PayerAuthError(f"payer refused our credentials (HTTP {status})", exchange=exchange)
    raise PayerRejected(
        f"payer refused the request (HTTP {status})",
        errors=(transport_error(status, f"HTTP {status} from the payer"),),
        exchange=exchange,
    )

"""OAuth2 client-credentials tokens for clearinghouse APIs, cached until shortly before expiry.

The cache is per process (keyed by token URL and client id): a token is a secret and does
not go to Redis. Forking RQ workers start each job with the parent's empty cache, so a
busy deployment fetches one token per job; the token endpoints we target allow that.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from verifier.payers.base import Exchange, PayerAuthError, PayerResponseInvalid
from verifier.payers.transport import HttpTransport, raise_for_status

EXPIRY_MARGIN = 30.0  # refresh this long before the token says it expires
DEFAULT_LIFETIME = 300.0  # when the endpoint gives no expires_in


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # monotonic


_CACHE: dict[tuple[str, str], Token] = {}
_LOCK = threading.Lock()


class TokenSource:
    def __init__(
        self,
        transport: HttpTransport,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
    ) -> None:
        self.transport = transport
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self._key = (token_url, client_id)

    def token(self, *, fresh: bool = False) -> str:
        with _LOCK:
            cached = _CACHE.get(self._key)
            if fresh:
                _CACHE.pop(self._key, None)
            elif cached is not None and cached.expires_at > time.monotonic():
                return cached.value
        token = self._fetch()
        with _LOCK:
            _CACHE[self._key] = token
        return token.value

    def _fetch(self) -> Token:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        if self.scope:
            form["scope"] = self.scope
        exchange = Exchange(request="POST token request (credentials withheld)")
        reply = self.transport.send(
            "POST",
            self.token_url,
            data=form,
            headers={"Accept": "application/json"},
            exchange=exchange,
        )
        if reply.status in (400, 401, 403):
            raise PayerAuthError(
                f"token endpoint refused our client credentials (HTTP {reply.status})"
            )
        raise_for_status(reply, exchange)
        try:
            data = json.loads(reply.body)
            value = data["access_token"]
            lifetime = float(data.get("expires_in") or DEFAULT_LIFETIME)
        except (ValueError, KeyError, TypeError):
            raise PayerResponseInvalid("token endpoint answered without a token") from None
        if not isinstance(value, str) or not value:
            raise PayerResponseInvalid("token endpoint answered without a token")
        expires_at = time.monotonic() + max(1.0, lifetime - EXPIRY_MARGIN)
        return Token(value, expires_at)


def forget_all() -> None:
    """Drop every cached token (tests; an operator's credential rotation)."""
    with _LOCK:
        _CACHE.clear()

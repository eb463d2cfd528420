"""OAuth2 client-credentials tokens for clearinghouse APIs, cached until shortly before expiry.

Two caches, keyed by token URL and client id. In the process, for threads of a batch job;
and, when the adapter is given one, a ``SharedTokens`` store in Redis for every worker:
forking RQ workers start each job with the parent's empty process cache, so without it a
busy deployment fetched a token per visitor check (a second round trip before every
inquiry, and token endpoints limit how often they are asked). A token is a credential, so
Redis holds it sealed with the data key (AES-GCM, the cache key as associated data), under
a hashed key name, expiring with the token. A Redis or decryption failure is a cache miss,
never a failed check.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

from verifier.payers.base import Exchange, PayerAuthError, PayerResponseInvalid
from verifier.payers.transport import HttpTransport, raise_for_status
from verifier.store.crypto import DecryptionError, Keyring

log = logging.getLogger(__name__)

EXPIRY_MARGIN = 30.0  # refresh this long before the token says it expires
DEFAULT_LIFETIME = 300.0  # when the endpoint gives no expires_in


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float  # monotonic


_CACHE: dict[tuple[str, str], Token] = {}
_LOCK = threading.Lock()


class SharedTokens:
    """Tokens shared by every worker through Redis, sealed with the data key."""

    def __init__(self, redis: Redis, keyring: Keyring, prefix: str) -> None:
        self.redis = redis
        self.keyring = keyring
        self.prefix = prefix

    def _name(self, key: tuple[str, str]) -> str:
        return hashlib.sha256("\n".join(key).encode()).hexdigest()[:32]

    def get(self, key: tuple[str, str]) -> Token | None:
        name = self._name(key)
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.get(f"{self.prefix}:{name}")
            pipe.pttl(f"{self.prefix}:{name}")
            sealed, ttl_ms = pipe.execute()
            if sealed is None or int(ttl_ms) <= 0:
                return None
            value = self.keyring.decrypt(sealed.decode(), f"oauth-token:{name}")
        except (RedisError, DecryptionError, UnicodeDecodeError) as exc:
            log.warning("shared token cache unreadable (%s); fetching a token", type(exc).__name__)
            return None
        return Token(value, time.monotonic() + int(ttl_ms) / 1000)

    def put(self, key: tuple[str, str], token: Token) -> None:
        name = self._name(key)
        ttl_ms = int((token.expires_at - time.monotonic()) * 1000)
        if ttl_ms <= 0:
            return
        sealed = self.keyring.encrypt(token.value, f"oauth-token:{name}")
        try:
            self.redis.set(f"{self.prefix}:{name}", sealed, px=ttl_ms)
        except RedisError as exc:
            log.warning("shared token cache unwritable (%s)", type(exc).__name__)

    def drop(self, key: tuple[str, str]) -> None:
        try:
            self.redis.delete(f"{self.prefix}:{self._name(key)}")
        except RedisError as exc:
            log.warning("shared token cache unwritable (%s)", type(exc).__name__)


class TokenSource:
    def __init__(
        self,
        transport: HttpTransport,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        shared: SharedTokens | None = None,
        json_body: bool = False,
    ) -> None:
        self.transport = transport
        self.shared = shared
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.json_body = json_body  # Optum documents a JSON body; RFC 6749 a form
        self._key = (token_url, client_id)

    def token(self, *, fresh: bool = False) -> str:
        """A valid token: this process's, else the workers' shared one, else a new one.

        ``fresh``: the API refused the cached token (revoked or expired early); drop it
        everywhere and fetch another.
        """
        with _LOCK:
            cached = _CACHE.get(self._key)
            if fresh:
                _CACHE.pop(self._key, None)
            elif cached is not None and cached.expires_at > time.monotonic():
                return cached.value
        if fresh and self.shared is not None:
            self.shared.drop(self._key)
        elif self.shared is not None:
            shared = self.shared.get(self._key)
            if shared is not None:
                with _LOCK:
                    _CACHE[self._key] = shared
                return shared.value
        token = self._fetch()
        with _LOCK:
            _CACHE[self._key] = token
        if self.shared is not None:
            self.shared.put(self._key, token)
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
        if self.json_body:
            reply = self.transport.send(
                "POST",
                self.token_url,
                body=json.dumps(form).encode(),
                headers={"Accept": "application/json", "Content-Type": "application/json"},
                exchange=exchange,
            )
        else:
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
    """Drop this process's cached tokens (tests). Tokens shared through Redis stay
    until they expire or a payer answers 401 (``SharedTokens.drop``)."""
    with _LOCK:
        _CACHE.clear()

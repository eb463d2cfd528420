"""Per-address request limits in Redis, shared by every web process and worker host.

A fixed window per (kind, address): INCR and EXPIRE in one transaction on a key named for
the window, so keys clean themselves up and Retry-After is the time left in the window.
Addresses are keyed by an HMAC, never stored as such (an IP address is an identifier).
If Redis does not answer, requests pass: a visitor is not turned away for our outage.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_smorest import abort

from config.settings import RateLimit
from verifier.runtime import Runtime, runtime_of

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
KINDS = ("submit", "status")


def limit_for(runtime: Runtime, kind: str) -> RateLimit | None:
    settings = runtime.settings
    return settings.rate_limit_submit if kind == "submit" else settings.rate_limit_status


def client_key(address: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


def retry_after(runtime: Runtime, kind: str, address: str, now: float | None = None) -> int:
    """Count this request; 0 when it is allowed, else the seconds until it would be."""
    limit = limit_for(runtime, kind)
    if limit is None:
        return 0
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    key = f"{runtime.settings.queue_prefix}:ratelimit:{kind}:{client_key(address)}:{window}"
    try:
        pipe = runtime.redis.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, limit.seconds)
        count = int(pipe.execute()[0])
    except Exception as exc:
        log.warning("rate limit not checked (%s): %s", kind, type(exc).__name__)
        return 0
    if count <= limit.count:
        return 0
    return max(1, int((window + 1) * limit.seconds - now + 0.999))


def check(kind: str) -> None:
    """Abort with 429 and Retry-After once this address is over the limit for ``kind``."""
    wait = retry_after(runtime_of(current_app), kind, request.remote_addr or "unknown")
    if wait:
        abort(
            429,
            message="Too many requests from this address; try again later.",
            headers={"Retry-After": str(wait)},
        )


def rate_limited(kind: str, unless: Callable[[], bool] | None = None) -> Callable[[F], F]:
    """Decorate a view (or a MethodView method); runs before the body is parsed.

    ``unless``: requests it accepts skip the limit, e.g. staff credentials, which the view
    authenticates next (a staff office shares one address; a fake credential gets a 401).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown rate limit kind {kind!r}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if unless is None or not unless():
                check(kind)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate

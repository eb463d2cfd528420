"""Per-payer limits shared by every worker on every machine: a concurrency cap and a rate.

Both live in Redis and use Redis's clock (``TIME`` inside the scripts), so workers whose
clocks disagree still share one view.

Concurrency: a sorted set of leases (member = a random token, score = when the lease
expires). Taking a slot first drops expired leases, so a worker that was SIGKILLed while
holding a slot frees it when its lease runs out; a live worker never outlives its lease
because the transport's deadline is shorter. ``rq.RateLimit`` was not used: it caps jobs
queued-or-running per key at enqueue time, while this caps calls in flight to a payer,
including in-process checks and the retries inside one attempt.

Rate: a token bucket (hash of tokens and last refill time), ``rate`` tokens per second,
holding at most ``max(1, rate)``. A caller takes its token at once, going into debt if
needed, and sleeps off the debt; one that would sleep past its deadline gives it back.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

from redis import Redis
from redis.client import Pipeline

_LEASE_SCRIPT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
"""

_BUCKET_SCRIPT = """
local t = redis.call('TIME')
local now = t[1] + t[2] / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
tokens = tokens - 1
local wait = 0
if tokens < 0 then wait = -tokens / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""

Sleep = Callable[[float], None]


class LimitTimeout(Exception):
    """No slot or token came free before the deadline; ``retry_after`` is a hint in seconds."""

    def __init__(self, what: str, retry_after: float) -> None:
        super().__init__(f"payer {what} limit reached")
        self.retry_after = retry_after


class ConcurrencySlots:
    """At most ``limit`` calls in flight to one payer, across processes."""

    def __init__(self, redis: Redis, key: str, limit: int, *, poll: float = 0.05) -> None:
        self.redis = redis
        self.key = key
        self.limit = limit
        self.poll = poll
        self._acquire = redis.register_script(_LEASE_SCRIPT)

    @classmethod
    def for_payer(cls, redis: Redis, payer_prefix: str, limit: int) -> ConcurrencySlots:
        """The slots kept under a payer's keys (see resilience.payer_key_prefix)."""
        return cls(redis, f"{payer_prefix}:slots", limit)

    def acquire(self, lease_seconds: float, deadline: float, sleep: Sleep = time.sleep) -> str:
        """A lease token, waiting up to ``deadline`` (monotonic) for a free slot."""
        token = secrets.token_hex(8)
        lease_ms = max(1, int(lease_seconds * 1000))
        while True:
            wait_ms = int(self._acquire(keys=[self.key], args=[self.limit, lease_ms, token]))
            if wait_ms == 0:
                return token
            left = deadline - time.monotonic()
            if left <= 0:
                raise LimitTimeout("concurrency", wait_ms / 1000)
            sleep(min(left, self.poll, wait_ms / 1000))

    def release(self, token: str) -> None:
        self.redis.zrem(self.key, token)

    def in_use(self) -> int:
        with self.redis.pipeline(transaction=False) as pipe:
            self.queue_in_use(pipe, time.time())
            return self.in_use_from(iter(pipe.execute()))

    def queue_in_use(self, pipe: Pipeline, now: float) -> None:
        """Queue the read ``in_use_from`` needs: leases still live at ``now`` (epoch s)."""
        pipe.zcount(self.key, int(now * 1000), "+inf")

    @staticmethod
    def in_use_from(answers: Iterator[Any]) -> int:
        """The count from the answer to ``queue_in_use``, taken from ``answers``."""
        return int(next(answers))


class RateLimiter:
    """At most ``rate`` calls per second to one payer, across processes."""

    def __init__(self, redis: Redis, key: str, rate: float) -> None:
        self.redis = redis
        self.key = key
        self.rate = rate
        self.burst = max(1.0, rate)
        self._take = redis.register_script(_BUCKET_SCRIPT)

    @classmethod
    def for_payer(cls, redis: Redis, payer_prefix: str, rate: float) -> RateLimiter:
        """The bucket kept under a payer's keys (see resilience.payer_key_prefix)."""
        return cls(redis, f"{payer_prefix}:rate", rate)

    def wait(self, deadline: float, sleep: Sleep = time.sleep) -> None:
        """Take a token, sleeping until one is due; give up if that is past ``deadline``."""
        wait = float(self._take(keys=[self.key], args=[self.rate, self.burst]))
        if wait <= 0:
            return
        if time.monotonic() + wait > deadline:
            self._give_back()
            raise LimitTimeout("rate", wait)
        sleep(wait)

    def _give_back(self) -> None:
        self.redis.hincrbyfloat(self.key, "tokens", 1.0)

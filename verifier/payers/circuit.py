"""A per-payer circuit breaker in Redis, shared by every worker.

When a payer is down, every worker hammering it only lengthens the outage and burns each
verification's attempts. After ``threshold`` failures within ``window`` seconds (with no
success in between) the circuit opens: checks fail at once with PayerUnavailable for
``cooldown`` seconds. Then one caller at a time may probe (half-open); a success closes the
circuit, a failure opens it for another cooldown.

Keys (``<prefix>`` is per payer: ``for_payer`` puts it under the payer's keys):
  <prefix>:failures  counter of recent failures, expires ``window`` after the first
  <prefix>:open      present while open; expires after ``cooldown``
  <prefix>:tripped   present from opening until a probe succeeds (marks half-open)
  <prefix>:probe     the one probe in flight in half-open; expires with the probe's lease
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis import Redis
from redis.client import Pipeline

_RECORD_FAILURE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local half_open = redis.call('EXISTS', KEYS[3]) == 1
if n >= tonumber(ARGV[2]) or half_open then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('SET', KEYS[3], '1', 'PX', tonumber(ARGV[3]) * 10)
  redis.call('DEL', KEYS[1], KEYS[4])
  return 1
end
return 0
"""


class State(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class Admission:
    allowed: bool
    probe: bool = False
    retry_after: float = 0.0


class CircuitBreaker:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        threshold: int = 5,
        window: float = 60.0,
        cooldown: float = 30.0,
    ) -> None:
        self.redis = redis
        self.failures_key = f"{prefix}:failures"
        self.open_key = f"{prefix}:open"
        self.tripped_key = f"{prefix}:tripped"
        self.probe_key = f"{prefix}:probe"
        self.threshold = threshold
        self.window = window
        self.cooldown = cooldown
        self._record_failure = redis.register_script(_RECORD_FAILURE)

    @classmethod
    def for_payer(cls, redis: Redis, payer_prefix: str, **tuning: Any) -> CircuitBreaker:
        """The breaker kept under a payer's keys (see resilience.payer_key_prefix)."""
        return cls(redis, f"{payer_prefix}:circuit", **tuning)

    def state(self) -> State:
        with self.redis.pipeline(transaction=False) as pipe:
            self.queue_state(pipe)
            return self.state_from(iter(pipe.execute()))

    def queue_state(self, pipe: Pipeline) -> None:
        """Queue the reads ``state_from`` needs, so a caller can batch several payers."""
        pipe.exists(self.open_key)
        pipe.exists(self.tripped_key)

    @staticmethod
    def state_from(answers: Iterator[Any]) -> State:
        """The state from the answers to ``queue_state``, taken from ``answers`` in order."""
        is_open, tripped = next(answers), next(answers)
        if is_open:
            return State.OPEN
        if tripped:
            return State.HALF_OPEN
        return State.CLOSED

    def admit(self, probe_seconds: float) -> Admission:
        """May a call go out now? In half-open only one caller probes at a time."""
        # One round trip for the common case (closed): every call to the payer asks this.
        pipe = self.redis.pipeline(transaction=False)
        pipe.pttl(self.open_key)
        pipe.exists(self.tripped_key)
        open_ms, tripped = pipe.execute()
        if int(open_ms) > 0:
            return Admission(False, retry_after=int(open_ms) / 1000)
        if not tripped:
            return Admission(True)
        lease_ms = max(1, int(probe_seconds * 1000))
        if self.redis.set(self.probe_key, "1", nx=True, px=lease_ms):
            return Admission(True, probe=True)
        return Admission(False, retry_after=max(0.001, int(self.redis.pttl(self.probe_key)) / 1000))

    def success(self) -> None:
        self.redis.delete(self.failures_key, self.tripped_key, self.probe_key)

    def failure(self) -> bool:
        """Count a failure; True when this one opened the circuit."""
        opened = self._record_failure(
            keys=[self.failures_key, self.open_key, self.tripped_key, self.probe_key],
            args=[max(1, int(self.window)), self.threshold, max(1, int(self.cooldown * 1000))],
        )
        return bool(opened)

    def release_probe(self) -> None:
        """A probe that ended without a verdict on the payer's health (e.g. a 4xx)."""
        self.redis.delete(self.probe_key)

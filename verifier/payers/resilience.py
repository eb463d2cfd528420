"""The rules every payer call obeys, whatever the adapter: applied by the registry.

One attempt (one ``check``) gets a total budget shorter than the job timeout. Within it,
a transient failure (timeout, 5xx, 429, AAA 42/80 with a follow-up that allows it) is
retried with exponential backoff and full jitter, waiting at least a Retry-After, and
never past the budget. 4xx answers, rejections and AAAs that ask for a correction are
never retried here. Around each call: the payer's circuit breaker, its rate limit and its
concurrency cap, all in Redis and shared by every worker (see ``circuit`` and ``limits``).

Tunable per payer in the directory: ``timeout``, ``rate_limit``, ``max_concurrency``, and
``options`` keys ``retries``, ``backoff_base``, ``backoff_cap``, ``attempt_budget``,
``breaker_threshold``, ``breaker_window``, ``breaker_cooldown``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from config.settings import Settings
from verifier.domain import EligibilityRequest
from verifier.payers import deadline
from verifier.payers.base import (
    CheckOutcome,
    PayerAdapter,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.payers.circuit import CircuitBreaker
from verifier.payers.directory import DirectoryError, PayerEntry
from verifier.payers.limits import ConcurrencySlots, LimitTimeout, RateLimiter

log = logging.getLogger(__name__)

LEASE_MARGIN = 5.0  # a slot outlives its call by this much, then a crashed holder's slot frees


@dataclass(frozen=True)
class Policy:
    call_timeout: float
    attempt_budget: float
    retries: int = 2
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    rate_limit: float | None = None
    max_concurrency: int | None = None
    breaker_threshold: int = 5
    breaker_window: float = 60.0
    breaker_cooldown: float = 30.0

    @classmethod
    def for_entry(cls, entry: PayerEntry, settings: Settings) -> Policy:
        options = entry.options
        call_timeout = entry.timeout or settings.payer_timeout
        ceiling = settings.job_timeout * 0.8  # leave the job time to store the outcome
        budget = _option(entry, options, "attempt_budget", float, None)
        if budget is None:
            budget = min(ceiling, call_timeout * 2.5)
        budget = min(budget, ceiling)
        return cls(
            call_timeout=min(call_timeout, budget),
            attempt_budget=budget,
            retries=_option(entry, options, "retries", int, 2),
            backoff_base=_option(entry, options, "backoff_base", float, 0.5),
            backoff_cap=_option(entry, options, "backoff_cap", float, 8.0),
            rate_limit=entry.rate_limit,
            max_concurrency=entry.max_concurrency,
            breaker_threshold=_option(entry, options, "breaker_threshold", int, 5),
            breaker_window=_option(entry, options, "breaker_window", float, 60.0),
            breaker_cooldown=_option(entry, options, "breaker_cooldown", float, 30.0),
        )


def _option(
    entry: PayerEntry, options: Mapping[str, Any], key: str, kind: type, default: Any
) -> Any:
    value = options.get(key, default)
    if value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise DirectoryError(f"payers.{entry.id}.options.{key} must be a non-negative number")
    if kind is int and not isinstance(value, int):
        raise DirectoryError(f"payers.{entry.id}.options.{key} must be a whole number")
    return kind(value)


Sleep = Callable[[float], None]


class ResilientAdapter:
    """Wraps any PayerAdapter; ``check`` keeps the protocol and the typed errors."""

    def __init__(
        self,
        inner: PayerAdapter,
        policy: Policy,
        redis: Redis,
        key_prefix: str,
        *,
        sleep: Sleep = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
        limits_prefix: str | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.policy = policy
        self.sleep = sleep
        self.jitter = jitter
        self.breaker = CircuitBreaker.for_payer(
            redis,
            key_prefix,
            threshold=policy.breaker_threshold,
            window=policy.breaker_window,
            cooldown=policy.breaker_cooldown,
        )
        limits = limits_prefix or key_prefix  # a clearinghouse account's, or the payer's
        self.slots = (
            ConcurrencySlots.for_payer(redis, limits, policy.max_concurrency)
            if policy.max_concurrency
            else None
        )
        self.rate = (
            RateLimiter.for_payer(redis, limits, policy.rate_limit)
            if policy.rate_limit
            else None
        )

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        ends = time.monotonic() + self.policy.attempt_budget
        with deadline.bounded(ends):
            number = 0
            while True:
                try:
                    return self._one_call(request, ends)
                except PayerUnavailable as exc:
                    number += 1
                    if not exc.retry_now or number > self.policy.retries:
                        raise
                    self._back_off(number, exc, ends)

    def _back_off(self, number: int, last: PayerUnavailable, ends: float) -> None:
        """Sleep before retry ``number``; re-raise ``last`` if the budget cannot cover it."""
        ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * 2 ** (number - 1))
        wait = self.jitter(0.0, ceiling)
        if last.retry_after is not None:
            wait = max(wait, last.retry_after)
        if time.monotonic() + wait >= ends:
            raise last
        self.sleep(wait)

    def _one_call(self, request: EligibilityRequest, ends: float) -> CheckOutcome:
        lease = self.policy.call_timeout + LEASE_MARGIN
        admission = self.breaker.admit(probe_seconds=lease)
        if not admission.allowed:
            raise PayerUnavailable(
                "payer circuit open", retry_after=admission.retry_after, retry_now=False
            )
        token: str | None = None
        try:
            try:
                if self.rate is not None:
                    self.rate.wait(ends, self.sleep)
                if self.slots is not None:
                    token = self.slots.acquire(lease, ends, self.sleep)
            except LimitTimeout as exc:
                if admission.probe:
                    self.breaker.release_probe()
                raise PayerUnavailable(
                    str(exc), retry_after=exc.retry_after, retry_now=False
                ) from None
            return self._observe(request, admission.probe)
        finally:
            if token is not None and self.slots is not None:
                slots = self.slots
                _bookkeeping("concurrency slot release", lambda: slots.release(token))

    def _observe(self, request: EligibilityRequest, probe: bool) -> CheckOutcome:
        """Call the adapter and tell the breaker what the answer says about the payer.

        Once the payer has answered, the answer (or its typed error) is what the check
        gets, whatever happens to the breaker's Redis keys: a lost update costs a little
        accuracy in the breaker, a lost answer costs a second payer call.
        """
        try:
            outcome = self.inner.check(request)
        except (PayerUnavailable, PayerResponseInvalid):
            _bookkeeping("breaker failure", self.breaker.failure)
            raise
        except PayerRejected:
            # The payer is up; it answered about this member.
            _bookkeeping("breaker success", self.breaker.success)
            raise
        except BaseException:  # auth errors, bugs: nothing learned about the payer's health
            if probe:
                _bookkeeping("breaker probe release", self.breaker.release_probe)
            raise
        _bookkeeping("breaker success", self.breaker.success)
        return outcome


def _bookkeeping(what: str, update: Callable[[], object]) -> None:
    """Run a breaker/limit update made after the payer answered; a Redis failure is
    logged and skipped (the keys expire on their own: slots by lease, failures by window)."""
    try:
        update()
    except RedisError as exc:
        log.warning("payer %s skipped: Redis unavailable (%s)", what, type(exc).__name__)


def payer_key_prefix(settings: Settings, payer_id: str) -> str:
    """Where a payer's breaker, slots and rate live in Redis: ``wrap`` writes them there
    and verifier.metrics reads them from there."""
    return f"{settings.queue_prefix}:payer:{payer_id}"


def limits_key_prefix(settings: Settings, entry: PayerEntry) -> str:
    """Where the payer's slots and rate live: its own, or its connection's when the limit is
    the clearinghouse account's (directory ``limits_scope``, issue 15)."""
    scope = entry.options.get("limits_scope")
    if isinstance(scope, str) and scope.startswith("connection:"):
        return f"{settings.queue_prefix}:{scope}"
    return payer_key_prefix(settings, entry.id)


def wrap(inner: PayerAdapter, entry: PayerEntry, settings: Settings, redis: Redis) -> PayerAdapter:
    """The registry's one call: every adapter, built-in or plug-in, gets the same rules."""
    policy = Policy.for_entry(entry, settings)
    return ResilientAdapter(
        inner,
        policy,
        redis,
        payer_key_prefix(settings, entry.id),
        limits_prefix=limits_key_prefix(settings, entry),
    )

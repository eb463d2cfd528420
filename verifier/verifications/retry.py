"""The verification's retry policy: which failures are tried again, and when.

Three layers retry, each for its own kind of failure; this module is the outer one.

1. **Within one attempt** (``verifier.payers.resilience``): a transient failure of one
   payer call (timeout, 5xx, 429, AAA 42/80 that allows it) is retried with jittered
   exponential backoff inside the attempt's budget, behind the payer's circuit breaker,
   rate limit and concurrency cap.
2. **What a payer's AAA means** (``verifier.x12.aaa``): every AAA gets a retry class
   (retry later, fix input, not found, configuration, benefit level) from its reject
   code and follow-up action; only "retry later" becomes ``PayerUnavailable``.
3. **Between attempts** (here): an attempt that finds the payer unavailable leaves the
   row in ``retry_wait`` with ``next_attempt_at`` = now + ``backoff`` (the configured
   intervals, the last repeating, each stretched by up to VERIFIER_RETRY_JITTER, at
   least the payer's Retry-After), capped by the run's window (VERIFIER_RETRY_WINDOW,
   from the run's first attempt); once the window is spent the verification fails with
   ``payer_unavailable``. Internal errors (bugs) retry on the intervals' count, not the
   window.

The database owns the schedule. Two things carry it out, and either may be lost without
losing the verification: RQ's Retry, whose interval the job wrapper sets to exactly that
wait (the fast path; ``RetryScheduled`` triggers it, ``seconds_until_due`` sizes it), and
the ``refresh_due`` cron job (``maintenance``), which re-enqueues every row whose time
has passed (lost jobs, a flushed Redis, batch runs). An early or duplicate arrival is
refused by the claim.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from config.settings import Settings
from verifier.domain import RetryClass
from verifier.payers.base import (
    PayerAuthError,
    PayerError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.runtime import Runtime
from verifier.store.models import Verification
from verifier.verifications import lifecycle
from verifier.verifications.lifecycle import Verdict

RETRY_TOLERANCE = dt.timedelta(seconds=2)  # RQ's scheduler may fire a little early


class RetryScheduled(Exception):
    """Raised to RQ so its Retry schedules the next attempt (the row says retry_wait)."""

    def __init__(self, verification_id: str, retry_in: int) -> None:
        super().__init__(f"verification {verification_id}: payer unavailable, retry in {retry_in}s")
        self.retry_in = retry_in


@dataclass(frozen=True)
class RunClock:
    """Where an attempt stands in its run: what the window and the backoff count from."""

    run_attempt: int  # 1 for the run's first attempt
    run_started_at: dt.datetime  # the run's first attempt: the retry window's start
    now: dt.datetime


def backoff(
    intervals: Sequence[int],
    run_attempt: int,
    jitter: float,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> int | None:
    """Seconds before the next attempt, or None when no retries are configured.

    Attempt n waits interval n (the last one repeats), stretched by up to ``jitter`` so
    checks that failed together (a payer outage, a batch) do not return together; never
    less than the interval, nor than the payer's Retry-After.
    """
    if not intervals:
        return None
    base = intervals[min(max(run_attempt, 1), len(intervals)) - 1]
    wait = math.ceil(base * (1 + jitter * rand()))
    if retry_after is not None:
        wait = max(wait, math.ceil(retry_after))
    return wait


def seconds_until_due(runtime: Runtime, verification_id: str, now: dt.datetime) -> int | None:
    """For RQ's retry: seconds until the row's next attempt, None when it waits for none."""
    with runtime.db.session() as session:
        row = session.execute(
            select(Verification.status, Verification.next_attempt_at).where(
                Verification.id == verification_id
            )
        ).one_or_none()
    if row is None or row.status != lifecycle.RETRY_WAIT or row.next_attempt_at is None:
        return None
    return max(1, math.ceil((row.next_attempt_at - now).total_seconds()))


def retry_or_fail(
    settings: Settings,
    clock: RunClock,
    reason: str,
    detail: str | None,
    outcome: str,
    codes: tuple[str, ...] = (),
    retry_after: float | None = None,
    *,
    windowed: bool = True,
) -> Verdict:
    """retry_wait with a jittered wait inside the run's window, else failed (see above)."""
    wait = backoff(settings.retry_intervals, clock.run_attempt, settings.retry_jitter, retry_after)
    if wait is not None and windowed:
        window_ends = clock.run_started_at + dt.timedelta(seconds=settings.retry_window)
        left = (window_ends - clock.now).total_seconds()
        wait = min(wait, math.ceil(left)) if left > 0 else None  # the last try: window's end
    elif wait is not None and clock.run_attempt > len(settings.retry_intervals):
        wait = None
    if wait is not None:
        return Verdict(lifecycle.RETRY_WAIT, reason, detail, outcome, codes, retry_in=wait)
    return Verdict(lifecycle.FAILED, reason, detail or "retries exhausted", outcome, codes)


def verdict_for_error(settings: Settings, exc: PayerError, clock: RunClock) -> Verdict:
    """Where a payer error leaves the verification: a retry, or failed with a reason."""
    if isinstance(exc, PayerUnavailable):
        detail = " ".join(f"AAA {code}" for code in exc.codes) or None
        return retry_or_fail(
            settings,
            clock,
            "payer_unavailable",
            detail,
            "unavailable",
            exc.codes,
            exc.retry_after,
        )
    if isinstance(exc, PayerRejected):
        return verdict_for_rejection(exc)
    if isinstance(exc, PayerResponseInvalid):
        return Verdict(lifecycle.FAILED, "payer_response_invalid", str(exc)[:200], "invalid")
    if isinstance(exc, PayerAuthError):
        # The message names the credential's environment variable, never its value.
        detail = f"payer refused our credentials: {exc}"[:200]
        return Verdict(lifecycle.FAILED, "payer_rejected", detail, "auth")
    return Verdict(lifecycle.FAILED, "payer_rejected", str(exc)[:200], "error")


# Which intake field an AAA "fix input" code points at, for a useful staff message.
AAA_FIELDS = {
    "72": "member.member_id",
    "64": "member.member_id",
    "73": "member.last_name",
    "65": "member.last_name",
    "58": "member.date_of_birth",
    "71": "member.date_of_birth",
    "60": "member.date_of_birth",
    "56": "service_date",
    "57": "service_date",
    "62": "service_date",
    "63": "service_date",
}


def verdict_for_rejection(exc: PayerRejected) -> Verdict:
    """A rejection is final: not found, a field to fix (named for staff), or a refusal."""
    errors = exc.errors
    codes = tuple(e.reject_code for e in errors)
    described = "; ".join(
        f"AAA {e.reject_code}{'/' + e.follow_up if e.follow_up else ''} at {e.loop}" for e in errors
    )[:200]
    classes = {e.retry_class for e in errors}
    if RetryClass.NOT_FOUND in classes:
        return Verdict(lifecycle.FAILED, "member_not_found", described, "rejected", codes)
    if RetryClass.FIX_INPUT in classes:
        fields = sorted({AAA_FIELDS[c] for c in codes if c in AAA_FIELDS})
        detail = (", ".join(fields) + " — " if fields else "") + described
        return Verdict(lifecycle.FAILED, "invalid_input", detail[:200], "rejected", codes)
    return Verdict(lifecycle.FAILED, "payer_rejected", described, "rejected", codes)


def verdict_for_crash(settings: Settings, clock: RunClock, kind: str) -> Verdict:
    """A bug is retried on the intervals' count (not the window): it may be passing."""
    return retry_or_fail(settings, clock, "internal_error", kind, "error", windowed=False)

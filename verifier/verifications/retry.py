"""When a verification's next attempt is due: jittered backoff inside a window.

The database owns the schedule (``next_attempt_at`` on a ``retry_wait`` row). RQ's Retry
and the ``refresh_due`` cron job both only carry it out: the worker's job wrapper tells RQ
to come back exactly then (fast path), and ``refresh_due`` re-enqueues any row whose time
passed without an attempt (a lost job, a flushed Redis, a batch run). See service.py.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence

from sqlalchemy import select

from verifier import lifecycle
from verifier.runtime import Runtime
from verifier.store.models import Verification


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

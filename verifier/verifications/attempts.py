"""A check's rows: the claim (the lease and the attempt it opens) and closing an attempt.

Both the first call of a check and the member-matching ladder's further calls
(``rematch``) open and close attempt rows here, with the check path's prebuilt statements
(``verifier.store.checks``: a batch worker runs hundreds a second).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from verifier.payers.base import Exchange
from verifier.payers.directory import PayerEntry
from verifier.runtime import Runtime
from verifier.store import checks
from verifier.store.records import attempt_key, seal
from verifier.verifications import leases
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.retry import RETRY_TOLERANCE


@dataclass(frozen=True)
class ClaimedRow:
    """The columns of a claimed verification that a check reads (no ORM instance)."""

    id: str
    payer_id: str
    level_of_care: str
    condition: str
    service_date: dt.date
    summary: dict[str, Any] | None  # the last answer: what a re-check compares against
    previous_summary: dict[str, Any] | None
    changes: list[Any] | None


@dataclass(frozen=True)
class Claim:
    verification: ClaimedRow
    member_enc: str  # sealed; opened in build_request, inside run_check's error handling
    attempt_number: int
    run_attempt: int
    run_started_at: dt.datetime  # the first attempt of this run: the retry window's start
    attempt_id: int  # the attempt row this claim opened
    entry: PayerEntry | None  # the payer's directory entry (None: no longer configured)
    trace_number: str  # this attempt's TRN, recorded on the attempt row


def claim(runtime: Runtime, verification_id: str, now: dt.datetime) -> Claim | None:
    """Take the row for this worker with a lease and open its attempt, or None.

    One transaction: the conditional UPDATE ... RETURNING that takes the lease, and the
    INSERT of the attempt row (statements prebuilt in ``verifier.store.checks``: a batch
    worker runs hundreds a second). The run's start is looked up only on a retry.
    """
    lease_until = now + dt.timedelta(seconds=runtime.settings.lease_seconds)
    with runtime.db.engine.begin() as connection:
        row = connection.execute(
            checks.claim(),
            {
                "p_id": verification_id,
                "p_now": now,
                # A retry waits for its time (a payer's Retry-After may exceed RQ's
                # interval; refresh_due then picks the row up).
                "p_due_by": now + RETRY_TOLERANCE,
                "p_lease_expires_at": lease_until,
                "p_lease_holder": leases.holder(),
            },
        ).one_or_none()
        if row is None:
            return None
        if row.attempt_count > 1:  # a run taken over: its dead horse's attempt is closed
            leases.close_interrupted(connection, verification_id, row.attempt_count, now)
        started: dt.datetime | None = None
        if row.run_attempts > 1:
            started = connection.execute(
                checks.run_started(),
                {
                    "p_verification_id": verification_id,
                    "p_number": row.attempt_count - row.run_attempts + 1,
                },
            ).scalar_one_or_none()
        entry = runtime.directory.get(row.payer_id)
        trace_number = f"{verification_id}-{row.attempt_count}"
        attempt_id = open_attempt(
            connection,
            verification_id,
            row.attempt_count,
            now,
            entry.adapter if entry else "unknown",
            row.payer_id,
            trace_number,
        )
    claimed = ClaimedRow(
        id=row.id,
        payer_id=row.payer_id,
        level_of_care=row.level_of_care,
        condition=row.condition,
        service_date=row.service_date,
        summary=row.summary,
        previous_summary=row.previous_summary,
        changes=row.changes,
    )
    # The member record is opened later, in run_check's try: a value that will not open
    # (a key removed before `db rekey` finished) is then a recorded internal_error on this
    # attempt, not a committed claim with an attempt left open and a row stuck in running.
    return Claim(
        claimed,
        row.member_enc,
        row.attempt_count,
        row.run_attempts,
        started or now,
        attempt_id,
        entry,
        trace_number,
    )


def open_attempt(
    connection: Connection,
    verification_id: str,
    number: int,
    now: dt.datetime,
    adapter: str,
    payer_id: str,
    trace_number: str,
) -> int:
    """Insert an attempt row (started, not finished) and return its id."""
    opened = {
        "verification_id": verification_id,
        "number": number,
        "started_at": now,
        "adapter": adapter,
        "payer_id": payer_id,
        "trace_number": trace_number,
    }
    return int(connection.execute(checks.open_attempt(), checks.params(opened)).scalar_one())


def record_attempt(
    runtime: Runtime,
    attempt_id: int,
    outcome: str,
    reason: str | None,
    exchange: Exchange,
    started: float,
) -> None:
    """Close an attempt that ends on its own (a carve-out re-query, a ladder step)."""
    values = closed_attempt(runtime, attempt_id, outcome, reason, (), exchange, started)
    with runtime.db.engine.begin() as connection:
        connection.execute(
            checks.close_attempt(frozenset(values)), checks.params(values, id=attempt_id)
        )


def closed_attempt(
    runtime: Runtime,
    attempt_id: int,
    outcome: str,
    reason: str | None,
    codes: tuple[str, ...],
    exchange: Exchange,
    started: float,
) -> dict[str, Any]:
    """An attempt's closing values: timing, outcome, and the raw exchange sealed to its row."""
    key = attempt_key(attempt_id)
    values: dict[str, Any] = {
        "finished_at": utcnow(),
        "duration_ms": int((time.monotonic() - started) * 1000),
        "outcome": outcome,
        "reason": reason,
        "error_codes": list(codes),
    }
    if exchange.request is not None:
        values["request_enc"] = seal(runtime.keyring, "attempt.request", key, exchange.request)
    if exchange.response is not None:
        values["response_enc"] = seal(runtime.keyring, "attempt.response", key, exchange.response)
    return values

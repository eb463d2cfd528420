"""Verification states and the rules between them (docs/design.md §4).

queued → running → completed | needs_review | failed, with retry_wait between attempts.

Every state change is a conditional UPDATE that names the state it expects, so two
processes racing for one row cannot both win; the loser learns it from the row count
(``start_new_run`` answers False) and says so instead of reporting a success that did
not happen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import null, update

from verifier.store.models import Verification

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from verifier.coverage.model import CoverageSummary

QUEUED = "queued"
RUNNING = "running"
RETRY_WAIT = "retry_wait"
COMPLETED = "completed"
NEEDS_REVIEW = "needs_review"
FAILED = "failed"

STATES = (QUEUED, RUNNING, RETRY_WAIT, COMPLETED, NEEDS_REVIEW, FAILED)
FINAL = (COMPLETED, NEEDS_REVIEW, FAILED)
ACTIVE = (QUEUED, RUNNING)  # a run is on its way: a new one would only double it

REASONS = (
    "member_not_found",
    "invalid_input",
    "payer_rejected",
    "payer_unavailable",
    "payer_response_invalid",
    "internal_error",
)


def utcnow() -> dt.datetime:
    """The one clock of the workflow (tests move it with time-machine)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Verdict:
    """Where a finished attempt leaves the verification."""

    status: str
    reason: str | None = None
    detail: str | None = None
    outcome: str = "completed"
    error_codes: tuple[str, ...] = ()
    retry_in: int | None = None


def verdict_for_summary(summary: CoverageSummary) -> Verdict:
    """A readable answer is completed; one a person must look at is needs_review.

    Staff review when the payer sent benefits we could not place (coverage unknown),
    named another administrator (carve-out), or rejected part of the inquiry.
    """
    reasons: list[str] = []
    if summary.coverage.status.value == "unknown":
        reasons.append("coverage status not reported")
    if summary.administrator is not None:
        reasons.append("benefits administered by another entity")
    if summary.errors:
        reasons.append("payer reported errors for part of the inquiry")
    if reasons:
        return Verdict(NEEDS_REVIEW, "review", "; ".join(reasons)[:200], "completed")
    return Verdict(COMPLETED)


@dataclass(frozen=True)
class RunStart:
    """The row as the caller saw it: the new run applies only if it is still so."""

    id: str
    run_seq: int
    status: str


def start_new_run(
    session: Session,
    row: RunStart,
    now: dt.datetime,
    *,
    restart: bool = False,
    job_id: str | None = None,
    recheck: bool = False,
    level_of_care: str | None = None,
) -> bool:
    """queued at ``run_seq + 1``, with no lease and no retry time: True when this caller won.

    The one transition every new run goes through: a staff re-run, reconcile,
    refresh_due and reverify_upcoming. ``job_id`` is the batch job that will carry it
    (None: its own job). ``restart``: a new run of checks (staff re-run, re-check), so
    the retry window and the run's attempt count start over and the last reason goes;
    without it (reconcile, refresh_due) the run goes on where it was. ``recheck`` keeps
    the answer as ``previous_summary`` so the finished re-check is compared with it.
    """
    values: dict[str, Any] = {
        "status": QUEUED,
        "run_seq": row.run_seq + 1,
        "lease_expires_at": None,
        "lease_holder": None,
        "next_attempt_at": None,
        "job_id": job_id,
        "updated_at": now,
    }
    if restart or recheck:
        values |= {
            "run_attempts": 0,
            "reason": None,
            "reason_detail": None,
            "completed_at": None,
        }
    if recheck:
        values |= {
            "previous_summary": Verification.summary,
            "changes": null(),
            "rechecked_at": now,
        }
    if level_of_care is not None:
        values["level_of_care"] = level_of_care
    result = session.execute(
        update(Verification)
        .where(
            Verification.id == row.id,
            Verification.run_seq == row.run_seq,
            Verification.status == row.status,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def complete_by_phone(
    session: Session, verification_id: str, now: dt.datetime, detail: str
) -> bool:
    """A coordinator's phone verification ends a finished (or waiting) row as completed.

    Never over a run on its way (queued or running): that check's answer will be the
    newer one, and the phone entry stays on file as its own attempt. True when applied.
    """
    result = session.execute(
        update(Verification)
        .where(Verification.id == verification_id, Verification.status.not_in(ACTIVE))
        .values(
            status=COMPLETED,
            reason="manual",
            reason_detail=detail[:200],
            completed_at=now,
            next_attempt_at=None,
            lease_expires_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class RunConflict(Exception):
    """The row changed between reading and writing it (another re-run, a worker's claim).

    Said to the coordinator ("reload and try again"), never reported as a success.
    """

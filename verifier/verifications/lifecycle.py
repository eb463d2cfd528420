"""Verification states and the rules between them (DESIGN §4).

queued → running → completed | needs_review | failed, with retry_wait between attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUEUED = "queued"
RUNNING = "running"
RETRY_WAIT = "retry_wait"
COMPLETED = "completed"
NEEDS_REVIEW = "needs_review"
FAILED = "failed"

STATES = (QUEUED, RUNNING, RETRY_WAIT, COMPLETED, NEEDS_REVIEW, FAILED)
FINAL = (COMPLETED, NEEDS_REVIEW, FAILED)

REASONS = (
    "member_not_found",
    "invalid_input",
    "payer_rejected",
    "payer_unavailable",
    "payer_response_invalid",
    "internal_error",
)


@dataclass(frozen=True)
class Verdict:
    """Where a finished attempt leaves the verification."""

    status: str
    reason: str | None = None
    detail: str | None = None
    outcome: str = "completed"
    error_codes: tuple[str, ...] = ()
    retry_in: int | None = None


def verdict_for_summary(summary: dict[str, Any]) -> Verdict:
    """A readable answer is completed; one a person must look at is needs_review.

    Staff review when the payer sent benefits we could not place (coverage unknown),
    named another administrator (carve-out), or rejected part of the inquiry.
    """
    coverage = summary.get("coverage", {}).get("status")
    reasons: list[str] = []
    if coverage == "unknown":
        reasons.append("coverage status not reported")
    if summary.get("administrator"):
        reasons.append("benefits administered by another entity")
    if summary.get("errors"):
        reasons.append("payer reported errors for part of the inquiry")
    if reasons:
        return Verdict(NEEDS_REVIEW, "review", "; ".join(reasons)[:200], "completed")
    return Verdict(COMPLETED)

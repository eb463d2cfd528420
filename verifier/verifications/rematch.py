"""Run the member-matching ladder inside a check: each variant its own attempt and payer call.

``verifications.matching`` decides what to send; this module sends it through the same
adapter as the first call (so the payer's rate limit, concurrency slots and circuit breaker
count every variant like any other check's call) and writes an attempt row per variant,
labelled with its ``correction``. The first attempt stays open while the ladder runs: when
nothing matches, the check closes it with the payer's original rejection, exactly as without
the ladder; when a variant matches, the first attempt is closed as rejected here and the
variant's attempt is the one the check finishes with the answer.

A variant that finds the payer unavailable (a 429, a rate limit that will not free in time,
an open circuit) stops the ladder: the original "not found" stands and says it is final,
rather than burning the visitor's retries on guesses.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from verifier.coverage.model import CoverageSummary, Matching
from verifier.domain import EligibilityRequest
from verifier.payers.base import CheckOutcome, Exchange, PayerAdapter, PayerError, PayerRejected
from verifier.runtime import Runtime
from verifier.store import checks
from verifier.store.records import MemberRecord, unseal
from verifier.verifications import matching
from verifier.verifications.attempts import Claim, closed_attempt, open_attempt
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.retry import verdict_for_rejection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rematched:
    """A variant the payer matched: its answer, its open attempt, and what was corrected."""

    outcome: CheckOutcome
    request: EligibilityRequest
    attempt_id: int
    started: float
    variant: matching.Variant
    extra_calls: int


def ladder(
    runtime: Runtime,
    taken: Claim,
    request: EligibilityRequest,
    adapter: PayerAdapter,
    rejected: PayerRejected,
    first_attempt_id: int,
    first_started: float,
) -> Rematched | None:
    """Try the facility's safe variants after a member-matching rejection; None: no match."""
    entry = taken.entry
    if entry is None:
        return None
    member = MemberRecord.from_json(
        unseal(runtime.keyring, "member", taken.verification.id, taken.member_enc)
    )
    variants = matching.candidates(
        request,
        member.member_id,
        rejected.errors,
        entry.capabilities,
        runtime.facility.matching,
    )
    for number, variant in enumerate(variants, start=1):
        attempt_request = replace(
            matching.with_search(request, variant.search),
            trace_number=f"{taken.trace_number}M{number}",
        )
        attempt_id = _open(runtime, taken, attempt_request.trace_number, variant.step)
        started = time.monotonic()
        try:
            outcome = adapter.check(attempt_request)
        except PayerRejected as exc:
            codes = exc.codes
            reason = "member_not_found" if matching.is_member_mismatch(exc.errors) else "rejected"
            _close(runtime, attempt_id, "rejected", reason, codes, exc.exchange, started)
            if not matching.is_member_mismatch(exc.errors):
                break  # the payer now refuses for another reason: asking again will not help
            continue
        except PayerError as exc:
            _close(runtime, attempt_id, "unavailable", exc.reason, (), exc.exchange, started)
            log.info(
                "verification %s: matching stopped at step %d (%s)",
                taken.verification.id,
                number,
                exc.reason,
            )
            break
        except Exception as exc:
            _close(runtime, attempt_id, "error", type(exc).__name__, (), Exchange(), started)
            raise
        first = verdict_for_rejection(rejected)
        _close(
            runtime,
            first_attempt_id,
            first.outcome,
            first.reason,
            rejected.codes,
            rejected.exchange,
            first_started,
        )
        log.info(
            "verification %s: matched after correcting (%s), %d extra call(s)",
            taken.verification.id,
            variant.step,
            number,
        )
        return Rematched(outcome, attempt_request, attempt_id, started, variant, number)
    return None


def with_matching(summary: CoverageSummary, found: Rematched) -> CoverageSummary:
    """The summary says what was corrected to find the member (never hidden)."""
    return replace(
        summary,
        matching=Matching(found.variant.step, found.variant.label, found.extra_calls),
    )


def _open(runtime: Runtime, taken: Claim, trace_number: str, step: str) -> int:
    """An attempt row for one variant, labelled with the step (never the values it sent)."""
    with runtime.db.engine.begin() as connection:
        attempt_id = open_attempt(
            connection,
            taken.verification.id,
            taken.attempt_number,
            utcnow(),
            taken.entry.adapter if taken.entry else "unknown",
            taken.verification.payer_id,
            trace_number,
        )
        connection.execute(
            checks.close_attempt(frozenset({"correction"})),
            checks.params({"correction": step}, id=attempt_id),
        )
    return attempt_id


def _close(
    runtime: Runtime,
    attempt_id: int,
    outcome: str,
    reason: str | None,
    codes: tuple[str, ...],
    exchange: Exchange,
    started: float,
) -> None:
    values = closed_attempt(runtime, attempt_id, outcome, reason, codes, exchange, started)
    with runtime.db.engine.begin() as connection:
        connection.execute(
            checks.close_attempt(frozenset(values)), checks.params(values, id=attempt_id)
        )

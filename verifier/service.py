"""Use cases: submit a verification, run a check, show a visitor their result.

The one place that ties the store, the queue and the payers together (DESIGN §2). The
database row is the source of truth; the queue only carries ids, and every state change
is a conditional update, so a job that runs twice changes nothing the second time.

Retries: the database owns the schedule. An attempt that finds the payer unavailable
leaves the row in ``retry_wait`` with ``next_attempt_at`` = now + a jittered backoff
(``verifier.retries.backoff``: the configured intervals, the last repeating, each
stretched by up to VERIFIER_RETRY_JITTER, at least the payer's Retry-After), capped by the
run's window (VERIFIER_RETRY_WINDOW, from the run's first attempt); when the window is
spent the verification fails with ``payer_unavailable``. Two things carry the schedule
out, and either may be lost without losing the verification: RQ's Retry, whose interval
the job wrapper sets to exactly that wait (the fast path; ``RetryScheduled`` triggers
it), and the ``refresh_due`` cron job, which re-enqueues every row whose time has passed
(lost jobs, a flushed Redis, batch runs). An early or duplicate arrival is refused by
the claim. Internal errors (bugs) retry on the intervals' count, not the window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import secrets
import time
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, select

from verifier import changes, lifecycle
from verifier.coverage.messages import DEFAULT_LANGUAGE, VISITOR, text
from verifier.coverage.model import CoverageSummary
from verifier.coverage.plain import visitor_view as summary_visitor_view
from verifier.coverage.summary import summarize
from verifier.domain import (
    Condition,
    EligibilityRequest,
    LevelOfCare,
    Person,
    Provider,
    RetryClass,
)
from verifier.lifecycle import Verdict
from verifier.part2 import gate as part2_gate  # 42 CFR Part 2 (verifier.part2)
from verifier.part2.consent import Part2Consent
from verifier.part2.intake import consent_columns as part2_columns
from verifier.payers.base import (
    CheckOutcome,
    Exchange,
    PayerAuthError,
    PayerError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.payers.carveout import administrator_payer
from verifier.payers.directory import PayerEntry
from verifier.queue import enqueue_verification
from verifier.retries import backoff
from verifier.runtime import Runtime
from verifier.store import checks
from verifier.store.models import Verification
from verifier.store.records import (
    ContactRecord,
    MemberRecord,
    attempt_key,
    blind_indexes,
    seal,
    unseal,
)
from verifier.x12.charset import X12InputError
from verifier.x12.jsonify import to_jsonable

log = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Submission:
    member: MemberRecord
    payer_id: str
    level_of_care: LevelOfCare
    condition: Condition
    service_date: dt.date
    contact: ContactRecord | None = None
    part2_consent: Part2Consent | None = None  # 42 CFR Part 2 programs only


@dataclass(frozen=True)
class Submitted:
    id: str
    status: str
    token: str


class UnknownPayer(ValueError):
    """The submission names a payer the directory does not know."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def verification_values(
    runtime: Runtime, submission: Submission, *, source: str, now: dt.datetime
) -> tuple[dict[str, Any], str]:
    """A new verification's columns, queued at run 1, and its status token.

    Only the token's hash is stored; ``submit`` hands the token to the visitor, a batch
    (``intake``) builds thousands of rows this way and hands it to nobody.
    """
    if runtime.directory.get(submission.payer_id) is None:
        raise UnknownPayer(submission.payer_id)
    verification_id = uuid.uuid4().hex
    token = secrets.token_urlsafe(32)  # 256 bits; only its hash is stored
    keyring = runtime.keyring
    contact = submission.contact
    values = {
        "id": verification_id,
        "status": lifecycle.QUEUED,
        "created_at": now,
        "updated_at": now,
        "level_of_care": submission.level_of_care.value,
        "condition": submission.condition.value,
        "payer_id": submission.payer_id,
        "service_date": submission.service_date,
        "source": source,
        "token_hash": hash_token(token),
        "token_expires_at": now + dt.timedelta(seconds=runtime.settings.status_token_ttl),
        "member_enc": seal(keyring, "member", verification_id, submission.member.to_json()),
        "contact_enc": (
            seal(keyring, "contact", verification_id, contact.to_json()) if contact else None
        ),
        "callback_requested": bool(contact and contact.callback_requested),
        **blind_indexes(keyring, submission.member),
        "attempt_count": 0,
        "run_attempts": 0,
        "run_seq": 1,
    }
    # 42 CFR Part 2: the consent sealed with the row (ConsentRequired without one).
    values |= part2_columns(runtime, submission, verification_id, source=source, now=now)
    return values, token


def submit(
    runtime: Runtime, submission: Submission, *, source: str = "visitor", enqueue: bool = True
) -> Submitted:
    """Store the verification, queue its check, and return at once (never waits on a payer).

    ``enqueue=False``: the caller queues it (a batch puts many checks in one batch job).
    """
    values, token = verification_values(runtime, submission, source=source, now=utcnow())
    verification_id = values["id"]
    row = Verification(**values)
    with runtime.db.session() as session:
        session.add(row)
    if not enqueue:
        return Submitted(id=verification_id, status=lifecycle.QUEUED, token=token)
    try:
        enqueue_verification(runtime, verification_id, row.run_seq)
    except Exception:
        # The row is safe as queued; the reconciler enqueues it once Redis is back.
        log.warning("enqueue failed for verification %s; left for reconcile", verification_id)
    log.info("verification %s submitted (%s)", verification_id, source)
    return Submitted(id=verification_id, status=lifecycle.QUEUED, token=token)


# --- the worker's side -----------------------------------------------------------------


# 270 fields that come from what the visitor typed; any other field is ours to fix.
MEMBER_FIELDS = ("subscriber.", "dependent.", "relationship", "group_number")
RETRY_TOLERANCE = dt.timedelta(seconds=2)  # RQ's scheduler may fire a little early


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
            },
        ).one_or_none()
        if row is None:
            return None
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
        attempt_id = _open_attempt(
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


def _open_attempt(
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


def build_request(runtime: Runtime, claim: Claim) -> EligibilityRequest:
    row, entry = claim.verification, claim.entry
    member = MemberRecord.from_json(unseal(runtime.keyring, "member", row.id, claim.member_enc))
    if entry is None:
        raise UnknownPayer(row.payer_id)
    patient = Person(
        first_name=member.first_name,
        last_name=member.last_name,
        date_of_birth=member.date_of_birth,
        member_id=member.member_id,
    )
    if member.subscriber is None:
        subscriber, dependent = patient, None
    else:
        subscriber = member.subscriber
        dependent = Person(member.first_name, member.last_name, member.date_of_birth)
    level, condition = LevelOfCare(row.level_of_care), Condition(row.condition)
    service_types = runtime.facility.ladder(level, condition).inquiry
    if not entry.capabilities.multiple_service_types:
        service_types = service_types[:1]
    facility = runtime.facility
    return EligibilityRequest(
        payer_id=entry.id,
        payer_name=entry.name,
        provider=Provider(npi=facility.npi, organization_name=facility.name),
        subscriber=subscriber,
        dependent=dependent,
        relationship=member.relationship,
        service_date=row.service_date,
        trace_number=claim.trace_number,
        service_types=tuple(service_types),
        group_number=member.group_number,
    )


class RetryScheduled(Exception):
    """Raised to RQ so its Retry schedules the next attempt (the row says retry_wait)."""

    def __init__(self, verification_id: str, retry_in: int) -> None:
        super().__init__(f"verification {verification_id}: payer unavailable, retry in {retry_in}s")
        self.retry_in = retry_in


def run_check(runtime: Runtime, verification_id: str) -> str | None:
    """One attempt at a verification. Returns the state it ends in, or None if not ours.

    Raises RetryScheduled (payer unavailable, attempts left) and re-raises unexpected
    errors after recording them, so RQ's Retry and failed-job registry see them.
    """
    now = utcnow()
    taken = claim(runtime, verification_id, now)
    if taken is None:
        log.info("verification %s not claimable; nothing to do", verification_id)
        return None
    attempt_id = taken.attempt_id
    started = time.monotonic()
    outcome: CheckOutcome | None = None
    exchange = Exchange()
    summary: dict[str, Any] | None = None
    visitor: dict[str, Any] | None = None
    try:
        request = build_request(runtime, taken)
        adapter = runtime.adapters.for_payer(taken.verification.payer_id)
        row = taken.verification  # 42 CFR Part 2: consent checked, disclosure recorded
        outcome = part2_gate.disclose(
            runtime, row.id, row.level_of_care, row.condition, request, adapter.check
        )
        exchange = outcome.exchange
        coverage = _summarize(runtime, taken.verification, outcome, taken.entry)
        summary = coverage.to_dict()
        visitor = summary_visitor_view(coverage, runtime.facility)
        verdict = lifecycle.verdict_for_summary(summary)
        if coverage.administrator is not None:
            summary, visitor, verdict = _check_carve_out(runtime, taken, request, summary, visitor)
    except PayerError as exc:
        exchange = exc.exchange
        verdict = _verdict_for_error(runtime, exc, taken, now)
    except part2_gate.NoConsent as exc:  # 42 CFR Part 2: no 270 left
        verdict = Verdict(lifecycle.FAILED, exc.reason, "42 CFR Part 2 consent", "refused")
    except X12InputError as exc:
        if not exc.field.startswith(MEMBER_FIELDS):
            # Our own envelope, provider or ladder data: a bug or a configuration error,
            # not the visitor's input. Recorded and raised like any other crash.
            verdict = _verdict_for_crash(runtime, taken, now, f"X12InputError({exc.field})")
            _finish(runtime, taken, attempt_id, verdict, exchange, None, None, None, started)
            raise
        verdict = Verdict(lifecycle.FAILED, "invalid_input", exc.field, outcome="refused")
    except Exception as exc:
        verdict = _verdict_for_crash(runtime, taken, now, type(exc).__name__)
        _finish(runtime, taken, attempt_id, verdict, exchange, None, None, None, started)
        raise
    status = _finish(
        runtime, taken, attempt_id, verdict, exchange, outcome, summary, visitor, started
    )
    log.info(
        "verification %s attempt %s: %s %s",
        verification_id,
        taken.attempt_number,
        status,
        verdict.reason or "",
    )
    if verdict.retry_in is not None:
        raise RetryScheduled(verification_id, verdict.retry_in)
    return status


def _summarize(
    runtime: Runtime, row: ClaimedRow, outcome: CheckOutcome, entry: PayerEntry | None
) -> CoverageSummary:
    return summarize(
        outcome.result,
        level=LevelOfCare(row.level_of_care),
        condition=Condition(row.condition),
        facility=runtime.facility,
        in_network=entry.in_network if entry else None,
        payer_name=entry.name if entry else None,
    )


def _check_carve_out(
    runtime: Runtime,
    taken: Claim,
    request: EligibilityRequest,
    summary: dict[str, Any],
    visitor: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], Verdict]:
    """The plan names a behavioral-health administrator: ask it too (DESIGN §7).

    The summary keeps the medical plan's answer and adds the administrator's as
    ``carve_out``; the visitor sees the administrator's benefits, which are the ones
    that pay for the program. When the directory does not know the administrator, or
    its check fails, staff review the verification with what the plan said.
    """
    row = taken.verification
    entry = administrator_payer(runtime.directory, summary)
    if entry is None or entry.id == row.payer_id:
        return summary, visitor, lifecycle.verdict_for_summary(summary)
    carve_request = replace(request, payer_id=entry.id, payer_name=entry.name)
    with runtime.db.engine.begin() as connection:
        attempt_id = _open_attempt(
            connection,
            row.id,
            taken.attempt_number,
            utcnow(),
            entry.adapter,
            entry.id,
            request.trace_number,
        )
    started = time.monotonic()
    exchange = Exchange()
    try:
        outcome = part2_gate.disclose(  # 42 CFR Part 2: the re-query is a disclosure too
            runtime, row.id, row.level_of_care, row.condition, carve_request,
            runtime.adapters.for_payer(entry.id).check, kind="carve_out",
        )
    except part2_gate.NoConsent as exc:
        _record_attempt(runtime, attempt_id, "refused", exc.reason, exchange, started)
        return summary, visitor, Verdict(lifecycle.FAILED, exc.reason, "42 CFR Part 2 consent")
    except PayerError as exc:
        _record_attempt(runtime, attempt_id, "carve_out", exc.reason, exc.exchange, started)
        summary = summary | {"carve_out": {"payer_id": entry.id, "error": exc.reason}}
        detail = f"carve-out check with {entry.id} failed: {exc.reason}"
        return summary, visitor, Verdict(lifecycle.NEEDS_REVIEW, "review", detail)
    exchange = outcome.exchange
    _record_attempt(runtime, attempt_id, "completed", None, exchange, started)
    carve = _summarize(runtime, row, outcome, entry)
    carve_summary = carve.to_dict()
    summary = summary | {"carve_out": carve_summary | {"payer_id": entry.id}}
    return (
        summary,
        summary_visitor_view(carve, runtime.facility),
        lifecycle.verdict_for_summary(carve_summary),
    )


def _record_attempt(
    runtime: Runtime,
    attempt_id: int,
    outcome: str,
    reason: str | None,
    exchange: Exchange,
    started: float,
) -> None:
    values = _closed_attempt(runtime, attempt_id, outcome, reason, (), exchange, started)
    with runtime.db.engine.begin() as connection:
        connection.execute(
            checks.close_attempt(frozenset(values)), checks.params(values, id=attempt_id)
        )


def _closed_attempt(
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


def _retry_or_fail(
    runtime: Runtime,
    taken: Claim,
    now: dt.datetime,
    reason: str,
    detail: str | None,
    outcome: str,
    codes: tuple[str, ...] = (),
    retry_after: float | None = None,
    *,
    windowed: bool = True,
) -> Verdict:
    """retry_wait with a jittered wait inside the run's window, else failed (see above)."""
    settings = runtime.settings
    wait = backoff(settings.retry_intervals, taken.run_attempt, settings.retry_jitter, retry_after)
    if wait is not None and windowed:
        window_ends = taken.run_started_at + dt.timedelta(seconds=settings.retry_window)
        left = (window_ends - now).total_seconds()
        wait = min(wait, math.ceil(left)) if left > 0 else None  # the last try: window's end
    elif wait is not None and taken.run_attempt > len(settings.retry_intervals):
        wait = None
    if wait is not None:
        return Verdict(lifecycle.RETRY_WAIT, reason, detail, outcome, codes, retry_in=wait)
    return Verdict(lifecycle.FAILED, reason, detail or "retries exhausted", outcome, codes)


def _verdict_for_error(
    runtime: Runtime, exc: PayerError, taken: Claim, now: dt.datetime
) -> Verdict:
    if isinstance(exc, PayerUnavailable):
        detail = " ".join(f"AAA {code}" for code in exc.codes) or None
        return _retry_or_fail(
            runtime,
            taken,
            now,
            "payer_unavailable",
            detail,
            "unavailable",
            exc.codes,
            exc.retry_after,
        )
    if isinstance(exc, PayerRejected):
        return _verdict_for_rejection(exc)
    if isinstance(exc, PayerResponseInvalid):
        return Verdict(lifecycle.FAILED, "payer_response_invalid", str(exc)[:200], "invalid")
    if isinstance(exc, PayerAuthError):
        # The message names the credential's environment variable, never its value.
        detail = f"payer refused our credentials: {exc}"[:200]
        return Verdict(lifecycle.FAILED, "payer_rejected", detail, "auth")
    return Verdict(lifecycle.FAILED, "payer_rejected", str(exc)[:200], "error")


# Which intake field an AAA "fix input" code points at, for a useful staff message.
_AAA_FIELDS = {
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


def _verdict_for_rejection(exc: PayerRejected) -> Verdict:
    errors = exc.errors
    codes = tuple(e.reject_code for e in errors)
    described = "; ".join(
        f"AAA {e.reject_code}{'/' + e.follow_up if e.follow_up else ''} at {e.loop}" for e in errors
    )[:200]
    classes = {e.retry_class for e in errors}
    if RetryClass.NOT_FOUND in classes:
        return Verdict(lifecycle.FAILED, "member_not_found", described, "rejected", codes)
    if RetryClass.FIX_INPUT in classes:
        fields = sorted({_AAA_FIELDS[c] for c in codes if c in _AAA_FIELDS})
        detail = (", ".join(fields) + " — " if fields else "") + described
        return Verdict(lifecycle.FAILED, "invalid_input", detail[:200], "rejected", codes)
    return Verdict(lifecycle.FAILED, "payer_rejected", described, "rejected", codes)


def _verdict_for_crash(runtime: Runtime, taken: Claim, now: dt.datetime, kind: str) -> Verdict:
    return _retry_or_fail(runtime, taken, now, "internal_error", kind, "error", windowed=False)


def _finish(
    runtime: Runtime,
    taken: Claim,
    attempt_id: int,
    verdict: Verdict,
    exchange: Exchange,
    outcome: CheckOutcome | None,
    summary: dict[str, Any] | None,
    visitor: dict[str, Any] | None,
    started: float,
) -> str:
    """Close the attempt and write the outcome in one transaction (two UPDATEs).

    Returns the state written: the verdict's, or ``needs_review`` when a re-check's
    answer changed.

    A re-check's answer is compared with the one before it here too (see
    ``_recheck_values``), so a changed answer is flagged in the same write.
    """
    now = utcnow()
    vid = taken.verification.id
    attempt_values = _closed_attempt(
        runtime,
        attempt_id,
        verdict.outcome,
        verdict.reason,
        verdict.error_codes,
        exchange,
        started,
    )
    attempt_values |= {"level_of_care": taken.verification.level_of_care, "summary": summary}
    values: dict[str, Any] = {
        "status": verdict.status,
        "reason": verdict.reason,
        "reason_detail": verdict.detail,
        "updated_at": now,
        "lease_expires_at": None,
        "next_attempt_at": (
            now + dt.timedelta(seconds=verdict.retry_in) if verdict.retry_in is not None else None
        ),
    }
    if summary is not None:
        values["summary"] = summary
        values["visitor_summary"] = visitor
    if outcome is not None:
        values["result_enc"] = seal(
            runtime.keyring,
            "result",
            vid,
            json.dumps(to_jsonable(outcome.result), sort_keys=True),
        )
    if verdict.status in lifecycle.FINAL:
        values["completed_at"] = now
        values |= _recheck_values(taken.verification, summary)
    with runtime.db.engine.begin() as connection:
        connection.execute(
            checks.close_attempt(frozenset(attempt_values)),
            checks.params(attempt_values, id=attempt_id),
        )
        # Only the holder of the lease may write the outcome.
        written = connection.execute(
            checks.finish(frozenset(values)), checks.params(values, id=vid)
        )
    if "changes" in values and written.rowcount == 1 and values["changes"]:
        log.info("verification %s: re-check changed %d fact(s)", vid, len(values["changes"]))
    return str(values["status"])


def _recheck_values(row: ClaimedRow, summary: dict[str, Any] | None) -> dict[str, Any]:
    """A finished re-check: the diff against the answer before it, and a flag if it moved.

    The same rule as ``maintenance.compare_recheck`` (which catches up rows written before
    the comparison moved here): no summary this time means the last one stands.
    """
    if row.previous_summary is None or row.changes is not None:
        return {}
    return changes.recheck_values(
        row.previous_summary, summary if summary is not None else row.summary
    )


# --- the visitor's side ----------------------------------------------------------------


def visitor_view(
    runtime: Runtime, verification_id: str, token: str | None
) -> dict[str, Any] | None:
    """The visitor's own result, or None for an unknown id, a wrong or an expired token."""
    if not token or len(token) > 200:
        return None
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None or row.token_hash is None:
            return None
        if not hmac.compare_digest(row.token_hash, hash_token(token)):
            return None
        if row.token_expires_at is None or row.token_expires_at < utcnow():
            return None
        view: dict[str, Any] = {
            "id": row.id,
            "status": row.status,
            "reason": row.reason if row.status in lifecycle.FINAL else None,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "level_of_care": row.level_of_care,
            "condition": row.condition,
            "payer_id": row.payer_id,
        }
        if row.status == lifecycle.RETRY_WAIT and row.next_attempt_at is not None:
            view["next_attempt_at"] = row.next_attempt_at.isoformat()
        if runtime.settings.visitor_result == "summary" and row.visitor_summary is not None:
            view["summary"] = row.visitor_summary
        elif row.status in lifecycle.FINAL:
            view["summary"] = {
                "plain_text": plain_text_for_status(runtime, row),
                "plain_text_by_language": {
                    language: plain_text_for_status(runtime, row, language) for language in VISITOR
                },
            }
        return view


_REASON_MESSAGES = {
    "member_not_found": "not_found",
    "payer_unavailable": "unavailable",
}


def plain_text_for_status(
    runtime: Runtime, row: Verification, language: str = DEFAULT_LANGUAGE
) -> str:
    """Kind words for a visitor whose check ended without a summary."""
    key = _REASON_MESSAGES.get(row.reason or "", "unknown")
    lines = [
        text(VISITOR, language, key),
        text(VISITOR, language, "next"),
        text(VISITOR, language, "phone", phone=runtime.facility.phone),
    ]
    return "\n".join(lines)


# --- call-back requests ----------------------------------------------------------------


@dataclass(frozen=True)
class CallbackListing:
    """One call to make, for the staff console: ids, times and status, never the contact."""

    kind: str  # "callback": asked for on its own; "verification": ticked on the form
    id: str
    requested_at: dt.datetime
    status: str


def request_callback(
    runtime: Runtime,
    contact: ContactRecord,
    *,
    name: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """Store a call-back asked for on its own; the contact (and name) sealed to its row."""
    from verifier.store.models import CallbackRequest

    request_id = uuid.uuid4().hex
    sealed = json.dumps({"name": name, "contact": json.loads(contact.to_json())}, sort_keys=True)
    with runtime.db.session() as session:
        session.add(
            CallbackRequest(
                id=request_id,
                created_at=utcnow(),
                status="new",
                language=language,
                source="visitor",
                contact_enc=seal(runtime.keyring, "callback.contact", request_id, sealed),
            )
        )
    log.info("call-back request %s stored", request_id)
    return request_id


def callback_contact(runtime: Runtime, request_id: str) -> tuple[str | None, ContactRecord] | None:
    """The name and contact of one call-back request (PHI: for audited staff reads only)."""
    from verifier.store.models import CallbackRequest

    with runtime.db.session() as session:
        row = session.get(CallbackRequest, request_id)
        if row is None:
            return None
        data = json.loads(unseal(runtime.keyring, "callback.contact", request_id, row.contact_enc))
    return data.get("name"), ContactRecord(**data["contact"])


def list_callback_requests(runtime: Runtime, limit: int = 200) -> list[CallbackListing]:
    """Calls visitors asked for, newest first: on their own, and ticked on a verification."""
    from verifier.store.models import CallbackRequest

    with runtime.db.session() as session:
        alone = session.execute(
            select(CallbackRequest.id, CallbackRequest.created_at, CallbackRequest.status)
            .order_by(CallbackRequest.created_at.desc())
            .limit(limit)
        ).all()
        with_check = session.execute(
            select(Verification.id, Verification.created_at, Verification.status)
            .where(Verification.callback_requested.is_(True))
            .order_by(Verification.created_at.desc())
            .limit(limit)
        ).all()
    listings = [CallbackListing("callback", i, at, s) for i, at, s in alone]
    listings += [CallbackListing("verification", i, at, s) for i, at, s in with_check]
    listings.sort(key=lambda item: item.requested_at, reverse=True)
    return listings[:limit]

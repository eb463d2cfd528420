"""Run one check: claim the row, ask the payer, judge the answer, write the outcome.

The worker's side of a verification (docs/design.md §2, §4). Every state change is a
conditional update, so a job that runs twice changes nothing the second time: the claim
takes a lease only on a row that is ours to run, and only the lease holder may write the
outcome. The answer stays a typed ``CoverageSummary`` from the payer's result to the
verdict, the carve-out lookup and the re-check comparison; it becomes JSON once, when it
is written. Where a failure leaves the row is ``verifier.verifications.retry``'s rule.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from verifier.coverage.model import CarveOut, CoverageSummary
from verifier.coverage.plain import visitor_view as summary_visitor_view
from verifier.coverage.stored import stored_summary
from verifier.coverage.summary import summarize
from verifier.domain import (
    Condition,
    EligibilityRequest,
    LevelOfCare,
    Person,
    Provider,
)
from verifier.part2 import gate as part2_gate
from verifier.payers.base import CheckOutcome, Exchange, PayerAdapter, PayerError, PayerRejected
from verifier.payers.carveout import administrator_payer
from verifier.payers.directory import PayerEntry, UnknownPayer
from verifier.runtime import Runtime
from verifier.store import checks
from verifier.store.records import MemberRecord, seal, unseal
from verifier.verifications import changes, lifecycle, rematch
from verifier.verifications.attempts import (
    Claim,
    ClaimedRow,
    claim,
    closed_attempt,
    open_attempt,
    record_attempt,
)
from verifier.verifications.lifecycle import Verdict, utcnow
from verifier.verifications.retry import (
    RetryScheduled,
    RunClock,
    verdict_for_crash,
    verdict_for_error,
)
from verifier.webhooks import events as webhook_events
from verifier.x12.charset import X12InputError
from verifier.x12.jsonify import to_jsonable

log = logging.getLogger(__name__)

# 270 fields that come from what the visitor typed; any other field is ours to fix.
MEMBER_FIELDS = ("subscriber.", "dependent.", "relationship", "group_number")

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
    clock = RunClock(taken.run_attempt, taken.run_started_at, now)
    started = time.monotonic()
    outcome: CheckOutcome | None = None
    exchange = Exchange()
    answer: Answer | None = None
    try:
        request = build_request(runtime, taken)
        adapter = runtime.adapters.for_payer(taken.verification.payer_id)
        gated = Disclosed(runtime, taken.verification, adapter)  # 42 CFR Part 2 gate
        try:
            outcome = gated.check(request)
            found = None
        except PayerRejected as rejected:  # the member-matching ladder (rematch)
            found = rematch.ladder(runtime, taken, request, gated, rejected, attempt_id, started)
            if found is None:
                raise
            outcome, request = found.outcome, found.request
            attempt_id, started = found.attempt_id, found.started
        exchange = outcome.exchange
        coverage = _summarize(runtime, taken.verification, outcome, taken.entry)
        if found is not None:
            coverage = rematch.with_matching(coverage, found)
        answer = Answer(coverage, summary_visitor_view(coverage, runtime.facility))
        verdict = lifecycle.verdict_for_summary(coverage)
        if coverage.administrator is not None:
            answer, verdict = _check_carve_out(runtime, taken, request, answer)
    except PayerError as exc:
        exchange = exc.exchange
        verdict = verdict_for_error(runtime.settings, exc, clock)
    except part2_gate.NoConsent as exc:  # 42 CFR Part 2: no 270 left
        verdict = Verdict(lifecycle.FAILED, exc.reason, "42 CFR Part 2 consent", "refused")
    except X12InputError as exc:
        if not exc.field.startswith(MEMBER_FIELDS):
            # Our own envelope, provider or ladder data: a bug or a configuration error,
            # not the visitor's input. Recorded and raised like any other crash.
            verdict = verdict_for_crash(runtime.settings, clock, f"X12InputError({exc.field})")
            _finish(runtime, taken, attempt_id, verdict, exchange, None, None, started)
            raise
        verdict = Verdict(lifecycle.FAILED, "invalid_input", exc.field, outcome="refused")
    except Exception as exc:
        verdict = verdict_for_crash(runtime.settings, clock, type(exc).__name__)
        _finish(runtime, taken, attempt_id, verdict, exchange, None, None, started)
        raise
    status = _finish(runtime, taken, attempt_id, verdict, exchange, outcome, answer, started)
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


class Disclosed:
    """The payer's adapter behind the 42 CFR Part 2 gate (``verifier.part2.gate``).

    Every 270 a verification sends passes it, the member-matching ladder's variants
    included: for a Part 2 program none leaves without a valid consent, and each one sent
    is a row of the disclosure ledger. Other programs go straight through.
    """

    def __init__(
        self, runtime: Runtime, row: ClaimedRow, adapter: PayerAdapter, kind: str = "eligibility"
    ) -> None:
        self.runtime, self.row, self.adapter, self.kind = runtime, row, adapter, kind
        self.name = adapter.name

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        row = self.row
        return part2_gate.disclose(
            self.runtime,
            row.id,
            row.level_of_care,
            row.condition,
            request,
            self.adapter.check,
            kind=self.kind,
        )


@dataclass(frozen=True)
class Answer:
    """What a check learned: the typed summary, and the visitor's view of it."""

    summary: CoverageSummary
    visitor: dict[str, Any]


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
        service_date=row.service_date,  # coverage is read at the date of service
    )


def _check_carve_out(
    runtime: Runtime, taken: Claim, request: EligibilityRequest, answer: Answer
) -> tuple[Answer, Verdict]:
    """The plan names a behavioral-health administrator: ask it too (docs/design.md §7).

    The summary keeps the medical plan's answer and adds the administrator's as
    ``carve_out``; the visitor sees the administrator's benefits, which are the ones
    that pay for the program. When the directory does not know the administrator, or
    its check fails, staff review the verification with what the plan said.
    """
    row, plan = taken.verification, answer.summary
    entry = administrator_payer(runtime.directory, plan.administrator)
    if entry is None or entry.id == row.payer_id:
        return answer, lifecycle.verdict_for_summary(plan)
    carve_request = replace(request, payer_id=entry.id, payer_name=entry.name)
    with runtime.db.engine.begin() as connection:
        attempt_id = open_attempt(
            connection,
            row.id,
            taken.attempt_number,
            utcnow(),
            entry.adapter,
            entry.id,
            request.trace_number,
        )
    started = time.monotonic()
    try:
        outcome = part2_gate.disclose(  # 42 CFR Part 2: the re-query is a disclosure too
            runtime,
            row.id,
            row.level_of_care,
            row.condition,
            carve_request,
            runtime.adapters.for_payer(entry.id).check,
            kind="carve_out",
        )
    except part2_gate.NoConsent as exc:
        record_attempt(runtime, attempt_id, "refused", exc.reason, Exchange(), started)
        return answer, Verdict(lifecycle.FAILED, exc.reason, "42 CFR Part 2 consent")
    except PayerError as exc:
        record_attempt(runtime, attempt_id, "carve_out", exc.reason, exc.exchange, started)
        failed = replace(plan, carve_out=CarveOut(entry.id, error=exc.reason))
        detail = f"carve-out check with {entry.id} failed: {exc.reason}"
        return Answer(failed, answer.visitor), Verdict(lifecycle.NEEDS_REVIEW, "review", detail)
    record_attempt(runtime, attempt_id, "completed", None, outcome.exchange, started)
    # A member matched after a correction is said in the administrator's view too (issue 21).
    carve = replace(_summarize(runtime, row, outcome, entry), matching=plan.matching)
    both = replace(plan, carve_out=CarveOut(entry.id, carve))
    visitor = summary_visitor_view(carve, runtime.facility, administered_by=entry.name)
    return Answer(both, visitor), lifecycle.verdict_for_summary(carve)


def _finish(
    runtime: Runtime,
    taken: Claim,
    attempt_id: int,
    verdict: Verdict,
    exchange: Exchange,
    outcome: CheckOutcome | None,
    answer: Answer | None,
    started: float,
) -> str:
    """Close the attempt and write the outcome in one transaction (two UPDATEs).

    Returns the state written: the verdict's, or ``needs_review`` when a re-check's
    answer changed.

    A re-check's answer is compared with the one before it here too (see
    ``_recheck_values``), so a changed answer is flagged in the same write.
    The summary becomes JSON here, once: what is stored is ``CoverageSummary.to_dict()``.
    """
    now = utcnow()
    vid = taken.verification.id
    attempt_values = closed_attempt(
        runtime,
        attempt_id,
        verdict.outcome,
        verdict.reason,
        verdict.error_codes,
        exchange,
        started,
    )
    summary = answer.summary.to_dict() if answer is not None else None
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
    if answer is not None:
        values["summary"] = summary
        values["visitor_summary"] = answer.visitor
    if outcome is not None:
        values["result_enc"] = seal(
            runtime.keyring,
            "result",
            vid,
            json.dumps(to_jsonable(outcome.result), sort_keys=True),
        )
    if verdict.status in lifecycle.FINAL:
        values["completed_at"] = now
        values |= _recheck_values(taken.verification, answer)
    with runtime.db.engine.begin() as connection:
        connection.execute(
            checks.close_attempt(frozenset(attempt_values)),
            checks.params(attempt_values, id=attempt_id),
        )
        # Only the holder of the lease may write the outcome.
        written = connection.execute(
            checks.finish(frozenset(values)), checks.params(values, id=vid)
        )
        # Webhooks (issue 20): the outcome's events, in this transaction (an outbox).
        hooked = webhook_events.finished(connection, runtime, vid, values, written.rowcount)
    webhook_events.kick(runtime, hooked)
    if "changes" in values and written.rowcount == 1 and values["changes"]:
        log.info("verification %s: re-check changed %d fact(s)", vid, len(values["changes"]))
    return str(values["status"])


def _recheck_values(row: ClaimedRow, answer: Answer | None) -> dict[str, Any]:
    """A finished re-check: the diff against the answer before it, and a flag if it moved.

    The same rule as ``maintenance.compare_recheck`` (which catches up rows written before
    the comparison moved here): no summary this time means the last one stands.
    """
    if row.previous_summary is None or row.changes is not None:
        return {}
    current = answer.summary if answer is not None else stored_summary(row.summary)
    return changes.recheck_values(stored_summary(row.previous_summary), current)


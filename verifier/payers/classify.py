"""What a payer's answer means for the verification, the same for every adapter.

A 271 (or its JSON/FHIR equivalent) with benefits is an outcome even when it carries
benefit-level AAAs; one with only AAAs is an error whose class the AAA codes decide. A
999/TA1 means the payer could not read our 270: a person must look. And an answer that is
not about the member we asked for is not an answer at all.
"""

from __future__ import annotations

import re

from verifier.domain import (
    EligibilityRequest,
    EligibilityResult,
    RequestError,
    RetryClass,
)
from verifier.payers.base import (
    CheckOutcome,
    Exchange,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)

# AAA codes worth another call within the same attempt, and the AAA04s that allow it.
RETRY_NOW_CODES = frozenset({"42", "80"})
RETRY_NOW_FOLLOW_UPS = frozenset({None, "R", "P"})


def classify(result: EligibilityResult, exchange: Exchange) -> CheckOutcome:
    """Turn AAA-only answers into the typed errors every adapter raises."""
    patient = result.patient
    has_benefits = patient is not None and bool(patient.benefits)
    if not has_benefits:
        errors = result.errors
        later = [error for error in errors if error.retry_class is RetryClass.RETRY_LATER]
        if later:
            raise PayerUnavailable(
                "payer unable to respond now",
                codes=tuple(e.reject_code for e in errors),
                exchange=exchange,
                retry_now=all(_retry_now(error) for error in later),
            )
        if errors:
            raise PayerRejected("payer rejected the inquiry", errors=errors, exchange=exchange)
    return CheckOutcome(result=result, exchange=exchange)


def _retry_now(error: RequestError) -> bool:
    return error.reject_code in RETRY_NOW_CODES and error.follow_up in RETRY_NOW_FOLLOW_UPS


def ack_rejection(
    kind: str, codes: tuple[str, ...], description: str, exchange: Exchange
) -> PayerRejected:
    """A 999 or TA1 rejection of our 270: the interchange needs fixing, not resending."""
    errors = tuple(
        RequestError(
            loop=kind,
            valid_request=False,
            reject_code=code,
            reject_description=description[:200],
            follow_up=None,
            follow_up_description=None,
            retry_class=RetryClass.CONFIGURATION,
        )
        for code in (codes or ("R",))
    )
    return PayerRejected(f"payer sent a {kind} rejection", errors=errors, exchange=exchange)


def _normalized_id(value: str | None) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def check_correlation(
    request: EligibilityRequest,
    result: EligibilityResult,
    exchange: Exchange,
    *,
    own_traces_tolerated: bool = False,
) -> None:
    """Refuse an answer about someone else: the echoed trace number and member id must match.

    Absent values are not a mismatch (a payer-level AAA has no subscriber loop); present and
    different ones are, because a crossed wire in a proxy or a payer's cache would otherwise
    show one patient's benefits on another's verification. ``own_traces_tolerated``: a
    clearinghouse that puts its own TRN in the 270 it forwards (Stedi, Optum) gets its own
    trace echoed, so there only the member id can tell a crossed wire.
    """
    echoed = [trace.number.upper() for trace in result.traces if trace.trace_type == "2"]
    if (
        not own_traces_tolerated and echoed and request.trace_number.upper() not in echoed
    ):  # the 270 upper-cases it
        raise PayerResponseInvalid(
            "payer response trace number does not match the request", exchange=exchange
        )
    subscriber = result.subscriber
    asked = _normalized_id(request.subscriber.member_id)
    answered = _normalized_id(subscriber.member_id if subscriber is not None else None)
    if asked and answered and answered != asked:
        raise PayerResponseInvalid(
            "payer response member id does not match the request", exchange=exchange
        )

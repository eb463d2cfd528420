"""Every 270 of a Part 2 verification passes here: no valid consent, no 270; each sent is
recorded in the ledger, answered or not (a request that left is a disclosure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from verifier.domain import Condition, EligibilityRequest, LevelOfCare
from verifier.part2 import ledger
from verifier.part2.consent import clearinghouse_of
from verifier.payers.base import CheckOutcome, PayerError
from verifier.store.models import Verification

if TYPE_CHECKING:
    from verifier.runtime import Runtime


class NoConsent(Exception):
    """A Part 2 verification without a valid consent: its 270 is not sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # consent_required | consent_revoked | consent_expired


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def consent_version(runtime: Runtime, verification_id: str, now: dt.datetime) -> str:
    """The version of the row's valid consent, or NoConsent saying why there is none."""
    with runtime.db.session() as session:
        row = session.execute(
            select(
                Verification.part2_consent_version,
                Verification.part2_expires_at,
                Verification.part2_revoked_at,
            ).where(Verification.id == verification_id)
        ).one_or_none()
    if row is None or row.part2_consent_version is None:
        raise NoConsent("consent_required")
    if row.part2_revoked_at is not None:
        raise NoConsent("consent_revoked")
    if row.part2_expires_at is None or row.part2_expires_at <= now:
        raise NoConsent("consent_expired")
    return str(row.part2_consent_version)


def _via(runtime: Runtime, payer_id: str) -> str:
    entry = runtime.directory.get(payer_id)
    if entry is None:
        return "unknown"
    through = clearinghouse_of(runtime.facility, entry)
    return through if through is not None else f"direct ({entry.adapter})"


def disclose(
    runtime: Runtime,
    verification_id: str,
    level_of_care: str,
    condition: str,
    request: EligibilityRequest,
    send: Callable[[EligibilityRequest], CheckOutcome],
    *,
    kind: str = "eligibility",
) -> CheckOutcome:
    """``send(request)``, for a Part 2 program only with a valid consent, and recorded.

    Other programs go straight through (no query): a mental-health check costs nothing.
    """
    if not runtime.facility.is_part2(LevelOfCare(level_of_care), Condition(condition)):
        return send(request)
    version = consent_version(runtime, verification_id, _utcnow())
    try:
        outcome = send(request)
    except PayerError as exc:
        if exc.exchange.request is not None:
            ledger.record(
                runtime, verification_id, request, kind=kind, via=_via(runtime, request.payer_id),
                consent_version=version, outcome=exc.reason, now=_utcnow(),
            )
        raise
    ledger.record(
        runtime, verification_id, request, kind=kind, via=_via(runtime, request.payer_id),
        consent_version=version, outcome="answered", now=_utcnow(),
    )
    return outcome

"""Read one verification for an export: the row, its member (opened), its summary.

Staff only, audited by the caller as a PHI read (the export names the member).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from verifier.coverage.stored import stored_summary
from verifier.domain import Condition, LevelOfCare
from verifier.exports.fhir import ExportedVerification, coverage_eligibility_response
from verifier.runtime import Runtime
from verifier.staff.errors import NotFoundError
from verifier.store.models import Attempt, Verification
from verifier.store.records import MemberRecord, unseal


def exported(runtime: Runtime, verification_id: str) -> ExportedVerification:
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None:
            raise NotFoundError(verification_id)
        trace = session.execute(
            select(Attempt.trace_number)
            .where(Attempt.verification_id == verification_id)
            .order_by(Attempt.number.desc(), Attempt.id)
            .limit(1)
        ).scalar_one_or_none()
        member = None
        if row.purged_at is None:
            member = MemberRecord.from_json(
                unseal(runtime.keyring, "member", row.id, row.member_enc)
            )
        summary = stored_summary(row.summary)
        entry = runtime.directory.get(row.payer_id)
        ladder = runtime.facility.ladder(LevelOfCare(row.level_of_care), Condition(row.condition))
        return ExportedVerification(
            id=row.id,
            status=row.status,
            created_at=row.created_at,
            service_date=row.service_date,
            payer_id=row.payer_id,
            payer_name=entry.name if entry else row.payer_id,
            provider_npi=runtime.facility.npi,
            provider_name=runtime.facility.name,
            service_type=ladder.read[0],
            trace_number=trace,
            member=member,
            summary=summary,
            error_codes=tuple(e.code for e in summary.errors) if summary else (),
        )


def fhir_export(runtime: Runtime, verification_id: str) -> dict[str, Any]:
    """GET /api/v1/verifications/{id}/fhir: the CoverageEligibilityResponse."""
    return coverage_eligibility_response(exported(runtime, verification_id))

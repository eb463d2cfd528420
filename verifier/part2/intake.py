"""At submit: a Part 2 program's verification gets its consent sealed to it, or a refusal."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from verifier.part2.consent import ConsentRequired, require, sealed_values

if TYPE_CHECKING:
    from verifier.runtime import Runtime
    from verifier.store.records import MemberRecord
    from verifier.verifications.intake import Submission


def patient_name(member: MemberRecord) -> str:
    """The patient as the consent names them: as typed (accents kept), not as sent."""
    typed = member.as_typed or {}
    return " ".join(
        (typed.get("first_name") or member.first_name, typed.get("last_name") or member.last_name)
    )


def consent_columns(
    runtime: Runtime,
    submission: Submission,
    verification_id: str,
    *,
    source: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The verification's Part 2 columns ({} for other programs).

    A visitor must sign first (ConsentRequired names the field). Staff and batch rows for
    a Part 2 program are stored flagged, and the gate sends no 270 for them until a
    consent is on the row.
    """
    facility = runtime.facility
    level, condition = submission.level_of_care, submission.condition
    if not facility.is_part2(level, condition):
        return {}
    consent = submission.part2_consent
    if consent is None and source != "visitor":
        return {"part2": True}
    consent = require(facility, level, condition, consent)
    entry = runtime.directory.get(submission.payer_id)
    if consent is None or entry is None:  # neither happens: checked above and by submit
        raise ConsentRequired("part2_consent.signature", "required")
    patient = patient_name(submission.member)
    return sealed_values(
        facility,
        entry,
        verification_id,
        runtime.keyring,
        level=level,
        patient=patient,
        consent=consent,
        now=now,
    )

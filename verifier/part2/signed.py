"""Recording a Part 2 consent the patient signed outside verifier (on paper, at intake).

A coordinator's or a batch's verification for a Part 2 program is stored without a
consent, and the gate sends no 270 for it (``consent_required``). When the patient signs
this version's text on paper (or in the center's own e-signature tool), staff record it
here: the typed name as it is on the signed copy, the date it was signed, who recorded it
and that the copy is kept. It is sealed like a visitor's consent, with ``medium: paper``,
and the consent period runs from the date signed. Nothing is sent until staff re-run the
check.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import update

from verifier.domain import LevelOfCare
from verifier.part2.consent import VERSION, Part2Consent, sealed_values
from verifier.part2.intake import patient_name
from verifier.store.models import Verification
from verifier.store.records import MemberRecord, unseal

if TYPE_CHECKING:
    from verifier.runtime import Runtime

MEDIUM = "paper"


class ConsentNotRecorded(ValueError):
    """Why the consent cannot be recorded: ``field`` names the form field, or is empty."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def record_signed(
    runtime: Runtime,
    verification_id: str,
    *,
    signature: str,
    signed_on: dt.date | None,
    staff_email: str,
    now: dt.datetime,
) -> None:
    """Raises LookupError for an unknown id and ConsentNotRecorded for anything refused."""
    signature = " ".join(signature.split())
    if not signature or len(signature) > 200:
        raise ConsentNotRecorded("signature", "Type the name as the patient signed it.")
    if signed_on is None:
        raise ConsentNotRecorded("signed_on", "Enter the date the patient signed.")
    if signed_on > now.date():
        raise ConsentNotRecorded("signed_on", "The date signed cannot be in the future.")
    facility = runtime.facility
    if signed_on + dt.timedelta(days=facility.part2_consent_days) <= now.date():
        raise ConsentNotRecorded(
            "signed_on",
            f"A consent signed then has ended ({facility.part2_consent_days} days): "
            "the patient needs to sign again.",
        )
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None:
            raise LookupError(verification_id)
        if not row.part2:
            raise ConsentNotRecorded("", "This verification is not for a 42 CFR Part 2 program.")
        if row.purged_at is not None:
            raise ConsentNotRecorded("", "This verification's details were erased.")
        if row.part2_revoked_at is not None:
            raise ConsentNotRecorded(
                "", "The person revoked their consent: start a new verification with the new one."
            )
        if row.part2_consent_enc is not None:
            raise ConsentNotRecorded("", "A consent is already on file for this verification.")
        entry = runtime.directory.get(row.payer_id)
        if entry is None:
            raise ConsentNotRecorded("", f"Payer {row.payer_id} is no longer in the directory.")
        member = MemberRecord.from_json(
            unseal(runtime.keyring, "member", row.id, row.member_enc)
        )
        signed_at = dt.datetime.combine(signed_on, dt.time(), tzinfo=dt.UTC)
        columns = sealed_values(
            facility,
            entry,
            verification_id,
            runtime.keyring,
            level=LevelOfCare(row.level_of_care),
            patient=patient_name(member),
            consent=Part2Consent(VERSION, signature, "en"),
            now=signed_at,
            extra={
                "medium": MEDIUM,
                "recorded_by": staff_email,
                "recorded_at": now.isoformat(),
            },
        )
        # Only onto a row that still has no consent: two coordinators cannot both record.
        done = session.execute(
            update(Verification)
            .where(Verification.id == verification_id, Verification.part2_consent_enc.is_(None))
            .values(**columns, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    if done != 1:
        raise ConsentNotRecorded("", "A consent is already on file for this verification.")

"""What the console shows of a Part 2 verification: the consent as signed, and the ledger.

PHI (the typed name, the values sent): the console's audited detail view only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from verifier.part2 import ledger
from verifier.part2.consent import VERSION
from verifier.store.models import Verification
from verifier.store.records import unseal

if TYPE_CHECKING:
    from verifier.runtime import Runtime


def detail(runtime: Runtime, verification_id: str) -> dict[str, Any] | None:
    """None for a verification that is not a Part 2 program's."""
    with runtime.db.session() as session:
        row = session.execute(
            select(
                Verification.part2,
                Verification.part2_consent_enc,
                Verification.part2_consent_version,
                Verification.part2_consented_at,
                Verification.part2_expires_at,
                Verification.part2_revoked_at,
                Verification.part2_revoked_by,
            ).where(Verification.id == verification_id)
        ).one_or_none()
    if row is None or not row.part2:
        return None
    consent = (
        json.loads(
            unseal(runtime.keyring, "part2.consent", verification_id, row.part2_consent_enc)
        )
        if row.part2_consent_enc
        else None
    )
    return {
        "consent": consent,
        "version": row.part2_consent_version,
        "consented_at": row.part2_consented_at,
        "expires_at": row.part2_expires_at,
        "revoked_at": row.part2_revoked_at,
        "revoked_by": row.part2_revoked_by,
        "disclosures": ledger.for_verification(runtime, verification_id),
        "current_version": VERSION,  # what a paper consent is signed as
    }

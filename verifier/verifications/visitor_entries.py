"""The visitor's own entries and contact, read back through their status token.

(Here, not in ``verifier.web``: the pages call these use cases and keep no store reads.)

Behind ``verifications.visitor.visitor_view``'s check (id + token + expiry): "fix the details" fills
the form again from what they typed (never the member id: that is what they fix), and a
call-back asked for on a result page is tied to that verification, with the contact
already given.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select, update

from verifier.runtime import Runtime
from verifier.store.models import Verification
from verifier.store.records import ContactRecord, MemberRecord, seal, unseal
from verifier.verifications.visitor import visitor_view
from verifier.webhooks import events as webhook_events


def _row(runtime: Runtime, verification_id: str, token: str | None) -> Any | None:
    if visitor_view(runtime, verification_id, token) is None:
        return None
    with runtime.db.session() as session:
        return session.execute(
            select(
                Verification.member_enc,
                Verification.contact_enc,
                Verification.payer_id,
                Verification.level_of_care,
                Verification.condition,
                Verification.purged_at,
            ).where(Verification.id == verification_id)
        ).one_or_none()


def contact_of(runtime: Runtime, verification_id: str, token: str | None) -> ContactRecord | None:
    row = _row(runtime, verification_id, token)
    if row is None or row.contact_enc is None:
        return None
    return ContactRecord.from_json(
        unseal(runtime.keyring, "contact", verification_id, row.contact_enc)
    )


def entries(runtime: Runtime, verification_id: str, token: str | None) -> dict[str, str] | None:
    """The form's values as the visitor typed them, minus the member id; None: no access."""
    row = _row(runtime, verification_id, token)
    if row is None or row.purged_at is not None:
        return None
    member = MemberRecord.from_json(
        unseal(runtime.keyring, "member", verification_id, row.member_enc)
    )
    typed = member.as_typed or {}
    values = {
        "member.first_name": typed.get("first_name") or member.first_name,
        "member.last_name": typed.get("last_name") or member.last_name,
        "member.date_of_birth": member.date_of_birth.isoformat(),
        "member.group_number": member.group_number or "",
        "member.relationship": member.relationship.value,
        "payer_id": row.payer_id,
        "level_of_care": row.level_of_care,
        "condition": row.condition,
    }
    if member.subscriber is not None:
        values |= {
            "member.subscriber.first_name": typed.get("subscriber.first_name")
            or member.subscriber.first_name,
            "member.subscriber.last_name": typed.get("subscriber.last_name")
            or member.subscriber.last_name,
            "member.subscriber.date_of_birth": member.subscriber.date_of_birth.isoformat(),
        }
    if row.contact_enc is not None:
        contact = ContactRecord.from_json(
            unseal(runtime.keyring, "contact", verification_id, row.contact_enc)
        )
        values |= {
            "contact.phone": contact.phone or "",
            "contact.email": contact.email or "",
            "contact.best_time": contact.best_time or "any",
        }
    return values


def ask_callback(
    runtime: Runtime, verification_id: str, given: ContactRecord, language: str | None = None
) -> ContactRecord | None:
    """Flag the verification for a call back, adding what the visitor gave to its contact.

    ``language``: the result page's, where they asked (the one to call back in).

    Returns the contact staff will use, or None when there is still no way to reach them.
    The caller has checked the token (``contact_of``).
    """
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None:
            return None
        known = (
            ContactRecord.from_json(
                unseal(runtime.keyring, "contact", verification_id, row.contact_enc)
            )
            if row.contact_enc
            else ContactRecord()
        )
        merged = dataclasses.replace(
            known,
            phone=given.phone or known.phone,
            email=given.email or known.email,
            best_time=given.best_time or known.best_time,
            callback_requested=True,
        )
        if not (merged.phone or merged.email):
            return None
        session.execute(
            update(Verification)
            .where(Verification.id == verification_id)
            .values(
                contact_enc=seal(runtime.keyring, "contact", verification_id, merged.to_json()),
                language=language or row.language,
            )
            .execution_options(synchronize_session=False)
        )
        flagged = session.execute(  # whoever sets the flag reports it: once, even if asked twice
            update(Verification)
            .where(Verification.id == verification_id, Verification.callback_requested.is_(False))
            .values(callback_requested=True)
            .execution_options(synchronize_session=False)
        )
        # Webhooks (issue 20): callback.requested, as when it is ticked on the form.
        hooked = (
            webhook_events.callback_requested(session, runtime, verification_id, "verification")
            if flagged.rowcount == 1  # type: ignore[attr-defined]
            else []
        )
    webhook_events.kick(runtime, hooked)
    return merged

"""What a visitor sees of their own verification: only through its unguessable token.

The status token is 256 random bits; only its SHA-256 is stored, compared in constant
time, and it expires (VERIFIER_STATUS_TOKEN_TTL). An unknown id, a wrong token and an
expired one all look the same: None, a 404 to the caller.
"""

from __future__ import annotations

import hmac
from typing import Any

from verifier.coverage.messages import DEFAULT_LANGUAGE, VISITOR, text
from verifier.runtime import Runtime
from verifier.store.models import Verification
from verifier.verifications import lifecycle, unmatched
from verifier.verifications.intake import hash_token
from verifier.verifications.lifecycle import utcnow


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
    "invalid_input": "not_found",  # the payer (or the 270) refused a member field
    "payer_unavailable": "unavailable",
}


def plain_text_for_status(
    runtime: Runtime, row: Verification, language: str = DEFAULT_LANGUAGE
) -> str:
    """Kind words for a visitor whose check ended without a summary."""
    key = _REASON_MESSAGES.get(row.reason or "", "unknown")
    lines = [text(VISITOR, language, key)]
    if row.reason in unmatched.UNMATCHED_REASONS:  # issue 21: what to compare with the card
        lines += unmatched.check_lines(row, language)
    lines += [
        text(VISITOR, language, "next"),
        text(VISITOR, language, "phone", phone=runtime.facility.phone),
    ]
    return "\n".join(lines)

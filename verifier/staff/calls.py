"""Call-backs a coordinator works through: whom to call, about which check, and how it went.

Two kinds: a request made on its own or from a result page (``callback_requests``, which
names its verification when made from one) and "call me back" ticked on the verification
form (the verification's own flag and contact). Both have the states new, called,
reached, closed, with the staff member and time of the last change.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select

from verifier.runtime import Runtime
from verifier.staff.accounts import Staff
from verifier.store.models import CallbackRequest, Verification
from verifier.store.records import ContactRecord, MemberRecord, unseal
from verifier.verifications.callbacks import CALLBACK_STATES, UnknownCallback
from verifier.verifications.lifecycle import utcnow

log = logging.getLogger(__name__)
OPEN = ("new", "called", "reached")
UNREADABLE = "(unreadable)"
_WONT_OPEN = (ValueError, KeyError, TypeError)  # DecryptionError is a ValueError


def _member_name(runtime: Runtime, row: Verification | None) -> str | None:
    if row is None or row.purged_at is not None:
        return None
    try:
        member = MemberRecord.from_json(unseal(runtime.keyring, "member", row.id, row.member_enc))
    except _WONT_OPEN:
        log.warning("verification %s: member record cannot be read", row.id)
        return UNREADABLE
    return f"{member.first_name} {member.last_name}"


def _request_contact(runtime: Runtime, request: CallbackRequest) -> tuple[Any, ContactRecord]:
    try:
        data = json.loads(
            unseal(runtime.keyring, "callback.contact", request.id, request.contact_enc)
        )
        return data.get("name"), ContactRecord(**data["contact"])
    except _WONT_OPEN:
        log.warning("call-back request %s: contact cannot be read", request.id)
        return UNREADABLE, ContactRecord()


def _form_contact(runtime: Runtime, row: Verification) -> ContactRecord:
    if not row.contact_enc or row.purged_at is not None:
        return ContactRecord()
    try:
        return ContactRecord.from_json(unseal(runtime.keyring, "contact", row.id, row.contact_enc))
    except _WONT_OPEN:
        log.warning("verification %s: contact cannot be read", row.id)
        return ContactRecord()


def listing(
    runtime: Runtime,
    *,
    show_closed: bool = False,
    limit: int = 200,
    verification_id: str | None = None,
) -> list[dict[str, Any]]:
    """Every call to make (PHI: name and contact, for an audited read), newest first.

    A row that will not open is listed as unreadable (and logged) instead of taking the
    whole list down with it.
    """
    found: list[dict[str, Any]] = []
    with runtime.db.session() as session:
        alone = select(CallbackRequest).order_by(CallbackRequest.created_at.desc()).limit(limit)
        ticked = (
            select(Verification)
            .where(Verification.callback_requested.is_(True))
            .order_by(Verification.created_at.desc())
            .limit(limit)
        )
        if verification_id is not None:
            alone = alone.where(CallbackRequest.verification_id == verification_id)
            ticked = ticked.where(Verification.id == verification_id)
        if not show_closed:
            alone = alone.where(CallbackRequest.status != "closed")
            ticked = ticked.where(
                (Verification.callback_status.is_(None))
                | (Verification.callback_status != "closed")
            )
        for request in session.execute(alone).scalars():
            name, contact = _request_contact(runtime, request)
            linked = (
                session.get(Verification, request.verification_id)
                if request.verification_id
                else None
            )
            found.append(
                {
                    "kind": "callback",
                    "id": request.id,
                    "verification_id": request.verification_id,
                    "requested_at": request.created_at.isoformat(),
                    "name": name or _member_name(runtime, linked),
                    "phone": contact.phone,
                    "email": contact.email,
                    "best_time": contact.best_time,
                    "language": request.language,
                    "status": request.status,
                    "status_by": request.status_by,
                    "status_at": request.status_at.isoformat() if request.status_at else None,
                }
            )
        for row in session.execute(ticked).scalars():
            contact = _form_contact(runtime, row)
            found.append(
                {
                    "kind": "verification",
                    "id": row.id,
                    "verification_id": row.id,
                    "requested_at": row.created_at.isoformat(),
                    "name": _member_name(runtime, row),
                    "phone": contact.phone,
                    "email": contact.email,
                    "best_time": contact.best_time,
                    "language": row.language,
                    "status": row.callback_status or "new",
                    "status_by": row.callback_status_by,
                    "status_at": row.callback_status_at.isoformat()
                    if row.callback_status_at
                    else None,
                }
            )
    found.sort(key=lambda item: item["requested_at"], reverse=True)
    return found[:limit]


def for_verification(runtime: Runtime, verification_id: str) -> list[dict[str, Any]]:
    """The call-backs about one verification (its own flag and requests from its page)."""
    return listing(runtime, show_closed=True, verification_id=verification_id)


def set_status(runtime: Runtime, staff: Staff, kind: str, item_id: str, status: str) -> None:
    """Record how a call went, by whom and when (one of CALLBACK_STATES)."""
    if status not in CALLBACK_STATES:
        raise ValueError(f"status must be one of {', '.join(CALLBACK_STATES)}")
    now = utcnow()
    with runtime.db.session() as session:
        if kind == "verification":
            row = session.get(Verification, item_id)
            if row is None or not row.callback_requested:
                raise UnknownCallback(item_id)
            row.callback_status, row.callback_status_by, row.callback_status_at = (
                status,
                staff.email,
                now,
            )
            return
        request = session.get(CallbackRequest, item_id)
        if request is None:
            raise UnknownCallback(item_id)
        request.status, request.status_by, request.status_at = status, staff.email, now

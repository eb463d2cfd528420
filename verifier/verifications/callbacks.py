"""Call-back requests: a visitor asks to be called, staff see whom to call.

A request made on its own (the call-back form) is a ``callback_requests`` row with the
name and contact sealed to it; one ticked on the verification form is that verification's
``callback_requested`` flag, its contact sealed with the verification. Listings carry ids,
times and states only; the contact is opened for an audited staff read.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from verifier.coverage.messages import DEFAULT_LANGUAGE
from verifier.runtime import Runtime
from verifier.store.models import CallbackRequest, Verification
from verifier.store.records import ContactRecord, seal, unseal
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks import events as webhook_events

log = logging.getLogger(__name__)

CALLBACK_STATES = ("new", "called", "reached", "closed")


class UnknownCallback(LookupError):
    """No call-back request has this id."""


@dataclass(frozen=True)
class CallbackListing:
    """One call to make, for the staff console: ids, times and status, never the contact."""

    kind: str  # "callback": asked for on its own; "verification": ticked on the form
    id: str
    requested_at: dt.datetime
    status: str


def request_callback(
    runtime: Runtime,
    contact: ContactRecord,
    *,
    name: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    verification_id: str | None = None,
) -> str:
    """Store a call-back asked for on its own; the contact (and name) sealed to its row.

    ``verification_id``: asked from that verification's result page (the console opens it).
    """
    request_id = uuid.uuid4().hex
    sealed = json.dumps({"name": name, "contact": json.loads(contact.to_json())}, sort_keys=True)
    with runtime.db.session() as session:
        session.add(
            CallbackRequest(
                id=request_id,
                created_at=utcnow(),
                status="new",
                language=language,
                source="visitor",
                contact_enc=seal(runtime.keyring, "callback.contact", request_id, sealed),
                verification_id=verification_id,
            )
        )
        # Webhooks (issue 20): callback.requested, ids only, in this transaction.
        hooked = webhook_events.callback_requested(session, runtime, request_id, "callback")
    webhook_events.kick(runtime, hooked)
    log.info("call-back request %s stored", request_id)
    return request_id


def callback_contact(runtime: Runtime, request_id: str) -> tuple[str | None, ContactRecord] | None:
    """The name and contact of one call-back request (PHI: for audited staff reads only)."""
    with runtime.db.session() as session:
        row = session.get(CallbackRequest, request_id)
        if row is None:
            return None
        data = json.loads(unseal(runtime.keyring, "callback.contact", request_id, row.contact_enc))
    return data.get("name"), ContactRecord(**data["contact"])


def list_callback_requests(runtime: Runtime, limit: int = 200) -> list[CallbackListing]:
    """Calls visitors asked for, newest first: on their own, and ticked on a verification."""
    with runtime.db.session() as session:
        alone = session.execute(
            select(CallbackRequest.id, CallbackRequest.created_at, CallbackRequest.status)
            .order_by(CallbackRequest.created_at.desc())
            .limit(limit)
        ).all()
        with_check = session.execute(
            select(Verification.id, Verification.created_at, Verification.status)
            .where(Verification.callback_requested.is_(True))
            .order_by(Verification.created_at.desc())
            .limit(limit)
        ).all()
    listings = [CallbackListing("callback", i, at, s) for i, at, s in alone]
    listings += [CallbackListing("verification", i, at, s) for i, at, s in with_check]
    listings.sort(key=lambda item: item.requested_at, reverse=True)
    return listings[:limit]

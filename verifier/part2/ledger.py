"""The disclosure ledger: every 270 a Part 2 verification sent, for staff and the patient.

A row says who received what, when and why (§2.31 consent's recipients and purpose),
in clear, without naming the person; the values sent are sealed to the row. Per person
(the same member id and date of birth), the rows are the patient's list of disclosures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from verifier.domain import EligibilityRequest
from verifier.store.models import Disclosure, Verification
from verifier.store.records import seal, unseal

if TYPE_CHECKING:
    from verifier.runtime import Runtime

PURPOSES = {
    "eligibility": "payment: eligibility and benefits inquiry (X12 270)",
    "carve_out": "payment: eligibility inquiry to the plan's behavioral health administrator "
    "(X12 270)",
}


def items_sent(request: EligibilityRequest) -> list[str]:
    """The kinds of data the 270 carried (never the values)."""
    items = ["name", "date_of_birth", "member_id"]
    if request.group_number:
        items.append("group_number")
    if request.dependent is not None:
        items.append("policyholder_name_and_date_of_birth")
    items += ["service_date", "service_types:" + ",".join(request.service_types)]
    return items


def content_of(request: EligibilityRequest) -> dict[str, Any]:
    """The values sent: they name the person, so they are sealed."""
    patient = request.dependent or request.subscriber
    content: dict[str, Any] = {
        "patient": f"{patient.first_name} {patient.last_name}",
        "date_of_birth": patient.date_of_birth.isoformat(),
        "member_id": request.subscriber.member_id,
        "group_number": request.group_number,
        "service_date": request.service_date.isoformat() if request.service_date else None,
        "service_types": list(request.service_types),
        "trace_number": request.trace_number,
    }
    if request.dependent is not None:
        content["policyholder"] = (
            f"{request.subscriber.first_name} {request.subscriber.last_name}, "
            f"{request.subscriber.date_of_birth.isoformat()}"
        )
    return content


def record(
    runtime: Runtime,
    verification_id: str,
    request: EligibilityRequest,
    *,
    kind: str,
    via: str,
    consent_version: str,
    outcome: str,
    now: dt.datetime,
) -> str:
    disclosure_id = uuid.uuid4().hex
    content = json.dumps(content_of(request), sort_keys=True, ensure_ascii=False)
    with runtime.db.session() as session:
        person = session.execute(
            select(Verification.index_member_id, Verification.index_birth_date).where(
                Verification.id == verification_id
            )
        ).one_or_none()
        session.add(
            Disclosure(
                id=disclosure_id,
                verification_id=verification_id,
                disclosed_at=now,
                kind=kind,
                recipient_id=request.payer_id,
                recipient_name=request.payer_name[:200],
                via=via[:200],
                purpose=PURPOSES[kind],
                items=items_sent(request),
                consent_version=consent_version,
                trace_number=request.trace_number,
                outcome=outcome[:40],
                content_enc=seal(runtime.keyring, "part2.disclosure", disclosure_id, content),
                index_member_id=person.index_member_id if person else None,
                index_birth_date=person.index_birth_date if person else None,
            )
        )
    return disclosure_id


@dataclass(frozen=True)
class Entry:
    """One disclosure as staff read it (PHI in ``sent``: audited reads only)."""

    id: str
    verification_id: str
    disclosed_at: dt.datetime
    kind: str
    recipient: str
    recipient_id: str
    via: str
    purpose: str
    items: list[str]
    consent_version: str
    outcome: str
    sent: dict[str, Any]


def _entries(runtime: Runtime, rows: list[Disclosure]) -> list[Entry]:
    return [
        Entry(
            id=row.id,
            verification_id=row.verification_id,
            disclosed_at=row.disclosed_at,
            kind=row.kind,
            recipient=row.recipient_name,
            recipient_id=row.recipient_id,
            via=row.via,
            purpose=row.purpose,
            items=list(row.items),
            consent_version=row.consent_version,
            outcome=row.outcome,
            sent=json.loads(unseal(runtime.keyring, "part2.disclosure", row.id, row.content_enc)),
        )
        for row in rows
    ]


def for_verification(runtime: Runtime, verification_id: str) -> list[Entry]:
    with runtime.db.session() as session:
        rows = list(
            session.execute(
                select(Disclosure)
                .where(Disclosure.verification_id == verification_id)
                .order_by(Disclosure.disclosed_at)
            ).scalars()
        )
    return _entries(runtime, rows)


def for_person(runtime: Runtime, verification_id: str) -> list[Entry]:
    """Every disclosure about the person this verification is for (same member id and
    birth date), found by the ledger's own copy of the blind indexes, so the list outlives
    the purge of the visitor rows it came from (§2.24: up to 3 years back)."""
    with runtime.db.session() as session:
        person = session.execute(
            select(Verification.index_member_id, Verification.index_birth_date).where(
                Verification.id == verification_id
            )
        ).one_or_none()
        if person is None:
            raise LookupError(verification_id)
        member_id, birth_date = person.index_member_id, person.index_birth_date
        if member_id is None:  # purged: the person's indexes as its own disclosures kept them
            kept = session.execute(
                select(Disclosure.index_member_id, Disclosure.index_birth_date)
                .where(
                    Disclosure.verification_id == verification_id,
                    Disclosure.index_member_id.is_not(None),
                )
                .limit(1)
            ).one_or_none()
            if kept is not None:
                member_id, birth_date = kept.index_member_id, kept.index_birth_date
        if member_id is None:
            same = Disclosure.verification_id == verification_id
        else:
            same = (Disclosure.index_member_id == member_id) & (
                Disclosure.index_birth_date == birth_date
            )
        rows = list(
            session.execute(select(Disclosure).where(same).order_by(Disclosure.disclosed_at))
            .scalars()
        )
    return _entries(runtime, rows)


def expire(runtime: Runtime, *, now: dt.datetime) -> int:
    """End the ledger's retention: disclosures older than VERIFIER_PART2_LEDGER_RETENTION_DAYS
    are deleted, and the sealed consent of a purged verification with none left is erased.

    Until then a purged visitor row keeps its consent (version, time, typed name) and its
    disclosures: the consent is the program's record that the disclosure was authorised
    (HIPAA keeps such documentation 6 years, 45 CFR 164.530(j)), and the list of
    disclosures is the patient's right for 3 years (§2.24).
    """
    cutoff = now - dt.timedelta(days=runtime.settings.part2_ledger_retention_days)
    with runtime.db.session() as session:
        gone = session.execute(
            delete(Disclosure)
            .where(Disclosure.disclosed_at < cutoff)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        left = select(Disclosure.id).where(Disclosure.verification_id == Verification.id)
        session.execute(
            update(Verification)
            .where(
                Verification.purged_at.is_not(None),
                Verification.part2_consent_enc.is_not(None),
                Verification.created_at < cutoff,
                ~left.exists(),
            )
            .values(part2_consent_enc=None)
            .execution_options(synchronize_session=False)
        )
    return int(gone or 0)


CSV_COLUMNS = (
    "disclosed_at",
    "recipient",
    "recipient_id",
    "via",
    "purpose",
    "information_sent",
    "consent_version",
    "outcome",
    "verification_id",
)


def export_csv(entries: list[Entry]) -> str:
    """The person's list of disclosures, one row each (the patient may ask for it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            [
                entry.disclosed_at.isoformat(timespec="seconds"),
                entry.recipient,
                entry.recipient_id,
                entry.via,
                entry.purpose,
                "; ".join(entry.items),
                entry.consent_version,
                entry.outcome,
                entry.verification_id,
            ]
        )
    return out.getvalue()

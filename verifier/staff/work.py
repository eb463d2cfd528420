"""What intake coordinators do with verifications: find, read, re-run, annotate, record.

Every function here reads or writes PHI on behalf of a named staff member; the routes
calling them write the audit row. Search goes through keyed blind indexes (exact,
normalized matches), never by decrypting every row.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select

from verifier.domain import LevelOfCare
from verifier.runtime import Runtime
from verifier.staff.accounts import Staff
from verifier.staff.errors import NotFoundError
from verifier.store.models import Attempt, Note, Verification
from verifier.store.records import ContactRecord, MemberRecord, attempt_key, seal, unseal
from verifier.verifications import lifecycle
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.matching import LABELS as CORRECTIONS
from verifier.verifications.queue import enqueue_verification
from verifier.verifications.spreadsheet import safe_cell
from verifier.x12.charset import X12InputError, clean_identifier, clean_name
from verifier.x12.codes import REJECT_REASONS as AAA_REJECT_REASONS

log = logging.getLogger(__name__)
MAX_PAGE = 200
VERIFICATION_ID = re.compile(r"[0-9a-f]{32}")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    status: str | None = None
    payer_id: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    callback_requested: bool | None = None
    page: int = 1
    per_page: int = 50


def _term_conditions(runtime: Runtime, term: str) -> list[Any]:
    """One search word: a date of birth, or a member id / first / last name, exactly.

    Each blind index is matched under every key in the ring: after a key rotation,
    rows not yet re-indexed by ``flask db rekey`` still carry the old key's hash.
    """
    keyring = runtime.keyring
    match = _DATE.fullmatch(term)
    if match:
        try:
            if match.group(1):
                born = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            else:
                born = dt.date(int(match.group(6)), int(match.group(4)), int(match.group(5)))
        except ValueError:
            return [Verification.id.is_(None)]  # not a real date: matches nothing
        indexes = keyring.blind_indexes(born.isoformat(), "birth_date")
        return [Verification.index_birth_date.in_(indexes)]
    options = []
    with contextlib.suppress(X12InputError):
        member_id = clean_identifier(term, "q")
        options.append(
            Verification.index_member_id.in_(keyring.blind_indexes(member_id, "member_id"))
        )
    try:
        name = clean_name(term, "q")
        options.append(Verification.index_last_name.in_(keyring.blind_indexes(name, "last_name")))
        options.append(Verification.index_first_name.in_(keyring.blind_indexes(name, "first_name")))
    except X12InputError:
        pass
    return [or_(*options)] if options else [Verification.id.is_(None)]


def _filtered(runtime: Runtime, query: SearchQuery) -> Select[Verification]:
    statement = select(Verification)
    for term in query.q.split():
        statement = statement.where(*_term_conditions(runtime, term))
    if query.status:
        statement = statement.where(Verification.status == query.status)
    if query.payer_id:
        statement = statement.where(Verification.payer_id == query.payer_id)
    if query.callback_requested is not None:
        statement = statement.where(Verification.callback_requested == query.callback_requested)
    if query.created_from:
        start = dt.datetime.combine(query.created_from, dt.time(), dt.UTC)
        statement = statement.where(Verification.created_at >= start)
    if query.created_to:
        end = dt.datetime.combine(query.created_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        statement = statement.where(Verification.created_at < end)
    return statement


ERASED = "(erased)"
UNREADABLE = "(unreadable)"


def _member(runtime: Runtime, row: Verification) -> MemberRecord | None:
    """The member, or None once the retention purge erased it."""
    if row.purged_at is not None:
        return None
    return MemberRecord.from_json(unseal(runtime.keyring, "member", row.id, row.member_enc))


def _row(runtime: Runtime, row: Verification) -> dict[str, Any]:
    """One line of a list. A row that cannot be opened shows as unreadable (and is logged)
    instead of taking the whole work queue down with it."""
    missing = ERASED
    try:
        member = _member(runtime, row)
    except (ValueError, KeyError, TypeError):
        log.warning("verification %s: member record cannot be read", row.id)
        member, missing = None, UNREADABLE
    return {
        "id": row.id,
        "status": row.status,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "payer_id": row.payer_id,
        "level_of_care": row.level_of_care,
        "condition": row.condition,
        "service_date": row.service_date.isoformat(),
        "source": row.source,
        "callback_requested": row.callback_requested,
        "reviewed": row.reviewed_at is not None,
        "member_name": f"{member.first_name} {member.last_name}" if member else missing,
        "date_of_birth": member.date_of_birth.isoformat() if member else missing,
        "member_id": member.member_id if member else missing,
        "purged": row.purged_at is not None,
    }


def search(runtime: Runtime, query: SearchQuery) -> tuple[list[dict[str, Any]], int]:
    """A page of matching verifications (newest first) and the total count."""
    per_page = max(1, min(query.per_page, MAX_PAGE))
    page = max(1, query.page)
    statement = _filtered(runtime, query)
    with runtime.db.session() as session:
        total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
        rows = session.execute(
            statement.order_by(Verification.created_at.desc(), Verification.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).scalars()
        return [_row(runtime, row) for row in rows], int(total)


CSV_COLUMNS = (
    "id",
    "status",
    "reason",
    "created_at",
    "payer_id",
    "level_of_care",
    "condition",
    "service_date",
    "member_name",
    "date_of_birth",
    "member_id",
    "callback_requested",
    "reviewed",
)


@dataclass(frozen=True)
class Export:
    body: str
    ids: list[str]  # the verifications in it, for the audit row


def export_csv(runtime: Runtime, query: SearchQuery, limit: int = 10_000) -> Export:
    """The whole search (up to ``limit`` rows) as CSV, for admissions' spreadsheets."""
    out = io.StringIO()
    from verifier.staff import authorizations  # the newest authorization's columns

    writer = csv.DictWriter(
        out, fieldnames=CSV_COLUMNS + authorizations.CSV_COLUMNS, extrasaction="ignore"
    )
    writer.writeheader()
    ids: list[str] = []
    statement = _filtered(runtime, query).order_by(Verification.created_at.desc()).limit(limit)
    with runtime.db.session() as session:
        rows = [_row(runtime, row) for row in session.execute(statement).scalars()]
    auth = authorizations.csv_cells(runtime, [values["id"] for values in rows])
    for values in rows:
        ids.append(values["id"])
        values |= auth.get(values["id"], {})
        # Spreadsheet formula injection: a cell starting with = + - @ is data, not code.
        writer.writerow({k: _cell(v) for k, v in values.items()})
    return Export(out.getvalue(), ids)


def _cell(value: Any) -> Any:
    return safe_cell(value)


def _describe_codes(codes: list[str] | None) -> list[dict[str, str]]:
    return [{"code": code, "description": AAA_REJECT_REASONS.get(code, "")} for code in codes or []]


@dataclass(frozen=True)
class Marker:
    """Became a patient (``staff.patients``): when, and which staff member marked it."""

    at: dt.datetime | None
    by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "became_patient": self.at is not None,
            "became_patient_at": self.at.isoformat() if self.at else None,
            "became_patient_by": self.by,
        }


def detail(runtime: Runtime, verification_id: str, *, raw: bool = True) -> dict[str, Any]:
    """Everything about one verification, for staff: member, contact, summary, attempts."""
    keyring = runtime.keyring
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None:
            raise NotFoundError(verification_id)
        member = _member(runtime, row)
        contact = (
            ContactRecord.from_json(unseal(keyring, "contact", row.id, row.contact_enc))
            if row.contact_enc and member is not None
            else None
        )
        attempts = []
        for attempt in sorted(row.attempts, key=lambda a: (a.number, a.id), reverse=True):
            item: dict[str, Any] = {
                "number": attempt.number,
                "started_at": attempt.started_at.isoformat(),
                "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
                "adapter": attempt.adapter,
                "payer_id": attempt.payer_id,
                "outcome": attempt.outcome,
                "reason": attempt.reason,
                "errors": _describe_codes(attempt.error_codes),
                "trace_number": attempt.trace_number,
                "correction": attempt.correction,  # a member-matching step (issue 21)
                "correction_label": CORRECTIONS.get(attempt.correction or ""),
                "duration_ms": attempt.duration_ms,
                "level_of_care": attempt.level_of_care,
                "summary": attempt.summary,
            }
            if raw:
                item["request"] = _open_raw(keyring, attempt, "request")
                item["response"] = _open_raw(keyring, attempt, "response")
            attempts.append(item)
        notes = [
            {
                "id": note.id,
                "author": note.author,
                "kind": note.kind,
                "created_at": note.created_at.isoformat(),
                "text": unseal(keyring, "note", str(note.id), note.text_enc),
            }
            for note in session.execute(
                select(Note).where(Note.verification_id == row.id).order_by(Note.id.desc())
            ).scalars()
        ]
        summaries: dict[str, Any] = {}
        for item in attempts[::-1]:  # oldest first: the newest per level wins
            if item["summary"] and item["level_of_care"]:
                summaries[item["level_of_care"]] = item["summary"]
        return {
            "id": row.id,
            "status": row.status,
            "reason": row.reason,
            "reason_detail": row.reason_detail,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "completed_at": row.completed_at.isoformat() if row.completed_at else None,
            "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
            "level_of_care": row.level_of_care,
            "condition": row.condition,
            "payer_id": row.payer_id,
            "service_date": row.service_date.isoformat(),
            "source": row.source,
            "reviewed_at": row.reviewed_at.isoformat() if row.reviewed_at else None,
            "reviewed_by": row.reviewed_by,
            **Marker(row.became_patient_at, row.became_patient_by).as_dict(),
            "member": member.as_public_dict() if member else None,
            "purged_at": row.purged_at.isoformat() if row.purged_at else None,
            "contact": contact.__dict__ if contact else None,
            "callback_requested": row.callback_requested,
            "summary": row.summary,
            "summaries_by_level": summaries,
            "attempts": attempts,
            "notes": notes,
        }


def _open_raw(keyring: Any, attempt: Attempt, which: str) -> str | None:
    token = attempt.request_enc if which == "request" else attempt.response_enc
    if token is None:
        return None
    return str(unseal(keyring, f"attempt.{which}", attempt_key(attempt.id), token))


def rerun(runtime: Runtime, verification_id: str, level: LevelOfCare | None = None) -> int:
    """A new run (history kept): back to queued with a fresh run number, then enqueue.

    A row already on its way (queued or running) keeps its run, unless the coordinator
    asked for another level of care: that is refused (RunConflict) rather than dropped.
    A row that changed since it was read (a worker's claim, another re-run) is refused
    too: the coordinator is told, never shown a re-run that did not happen.
    """
    now = utcnow()
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None:
            raise NotFoundError(verification_id)
        if row.status in lifecycle.ACTIVE:
            if level is not None and level.value != row.level_of_care:
                raise lifecycle.RunConflict(
                    "a check is on its way; re-run for another level of care when it ends"
                )
            return row.run_seq  # already on its way: re-running would only double it
        seen = lifecycle.RunStart(row.id, row.run_seq, row.status)
        won = lifecycle.start_new_run(
            session,
            seen,
            now,
            restart=True,
            level_of_care=level.value if level is not None else None,
        )
        if not won:
            raise lifecycle.RunConflict("the verification changed meanwhile; reload and try again")
        run_seq = row.run_seq + 1
    enqueue_verification(runtime, verification_id, run_seq)
    return run_seq


def add_note(
    runtime: Runtime, staff: Staff, verification_id: str, text: str, kind: str = "note"
) -> int:
    text = text.strip()
    if not text or len(text) > 4000:
        raise ValueError("a note needs 1 to 4000 characters")
    with runtime.db.session() as session:
        if session.get(Verification, verification_id) is None:
            raise NotFoundError(verification_id)
        note = Note(
            verification_id=verification_id,
            author=staff.email,
            kind=kind,
            created_at=utcnow(),
            text_enc="pending",
        )
        session.add(note)
        session.flush()
        note.text_enc = seal(runtime.keyring, "note", str(note.id), text)
        return note.id


def mark_reviewed(runtime: Runtime, staff: Staff, verification_id: str) -> None:
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None:
            raise NotFoundError(verification_id)
        row.reviewed_at = utcnow()
        row.reviewed_by = staff.email


# A verification done by phone is recorded by ``verifier.staff.phone_vob`` (issue 16).

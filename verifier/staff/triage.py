"""The triage queue: what needs a person first, one row per verification, filterable.

Every filter and sort is SQL over the verification's own columns and its stored summary
(JSON paths that SQLite and PostgreSQL both answer), so paging and counts are server-side
and a 500-row batch costs one page of decryption, not 500. Names are opened only for the
page shown (``work._row``), and contact presence only as yes/no.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)

from verifier.runtime import Runtime
from verifier.staff import authorizations, grid, work
from verifier.store.models import Authorization, Batch, BatchRow, Verification
from verifier.store.records import ContactRecord, unseal
from verifier.verifications import lifecycle
from verifier.verifications.lifecycle import utcnow

OUTCOMES = (
    "active",
    "inactive",
    "not found",
    "payer down",
    "needs review",
    "changed",
    "failed",
    "pending",
)
NEEDS_PERSON = ("not found", "needs review", "changed", "failed")
PAYER_DOWN_REASONS = ("payer_unavailable", "payer_response_invalid", "internal_error")
PER_PAGE = 25

_S = Verification.summary


def _text(*path: str) -> ColumnElement[Any]:
    return _S[path].as_string()


OUTCOME: ColumnElement[Any] = case(
    (Verification.status.in_(lifecycle.ACTIVE), literal("pending")),
    (Verification.status == lifecycle.RETRY_WAIT, literal("payer down")),
    (
        and_(Verification.status == lifecycle.FAILED, Verification.reason == "member_not_found"),
        literal("not found"),
    ),
    (
        and_(Verification.status == lifecycle.FAILED, Verification.reason.in_(PAYER_DOWN_REASONS)),
        literal("payer down"),
    ),
    (Verification.status == lifecycle.FAILED, literal("failed")),
    (
        and_(
            Verification.status == lifecycle.NEEDS_REVIEW,
            Verification.changes.is_not(None),
            cast(Verification.changes, String) != "[]",
        ),
        literal("changed"),
    ),
    (Verification.status == lifecycle.NEEDS_REVIEW, literal("needs review")),
    (_text("coverage", "status") == "active", literal("active")),
    (_text("coverage", "status") == "inactive", literal("inactive")),
    else_=literal("needs review"),
)
NETWORK: ColumnElement[Any] = func.coalesce(_text("network", "status"), literal("unknown"))
PREAUTH: ColumnElement[Any] = case(
    (_text("preauthorization", "required") == "true", literal("required")),
    (_text("preauthorization", "required") == "1", literal("required")),
    (_text("preauthorization", "required") == "false", literal("not required")),
    (_text("preauthorization", "required") == "0", literal("not required")),
    else_=literal("unknown"),
)
CARVE_OUT = or_(
    _text("administrator", "payer_id").is_not(None), _text("administrator", "name").is_not(None)
)
# A carve-out's benefits are the administrator's: its visits and estimate come first
# (they are what the visitor was told), the plan's own only when it has none.
VISITS_LEFT: ColumnElement[Any] = cast(
    func.coalesce(
        _text("carve_out", "visit_limit", "remaining"), _text("visit_limit", "remaining")
    ),
    Integer,
)
COST_HIGH: ColumnElement[Any] = cast(
    func.coalesce(
        _text("carve_out", "estimate", "patient_cost_high"),
        _text("estimate", "patient_cost_high"),
    ),
    Float,
)
CALLBACK_OPEN = and_(
    Verification.callback_requested.is_(True),
    or_(Verification.callback_status.is_(None), Verification.callback_status != "closed"),
)
SORTS: dict[str, ColumnElement[Any]] = {
    "age": Verification.created_at,  # type: ignore[dict-item]
    "outcome": OUTCOME,
    "visits_left": VISITS_LEFT,
    "estimated_cost": COST_HIGH,
}


def _auth_alert(today: dt.date) -> ColumnElement[bool]:
    return exists(
        select(Authorization.id).where(
            Authorization.verification_id == Verification.id,
            authorizations.alert_condition(today),
        )
    )


def needs_person(today: dt.date) -> ColumnElement[bool]:
    """The default view: what a coordinator must look at, not every finished check."""
    unreviewed = or_(
        Verification.reviewed_at.is_(None),
        and_(
            Verification.completed_at.is_not(None),
            Verification.reviewed_at < Verification.completed_at,
        ),
    )
    return or_(
        and_(
            unreviewed,
            or_(
                OUTCOME.in_(NEEDS_PERSON),
                PREAUTH == "required",
                CARVE_OUT,
            ),
        ),
        CALLBACK_OPEN,
        _auth_alert(today),
    )


@dataclass(frozen=True)
class TriageQuery:
    view: str = "needs_person"  # needs_person | all
    outcome: str | None = None
    network: str | None = None  # in_network | out_of_network | unknown
    preauth: str | None = None  # required | not required | unknown
    carve_out: bool | None = None
    visits: str | None = None  # none_left | some_left | not_reported
    cost: str | None = None  # shown | not_shown
    callback: bool | None = None
    source: str | None = None  # visitor | batch | staff
    auth_alert: bool | None = None
    batch_id: str | None = None
    sort: str = "age"
    descending: bool = True
    page: int = 1
    per_page: int = PER_PAGE

    def with_page(self, page: int) -> TriageQuery:
        return replace(self, page=page)


def _conditions(query: TriageQuery, today: dt.date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.view == "needs_person":
        where.append(needs_person(today))
    if query.outcome:
        where.append(OUTCOME.in_([query.outcome]))
    if query.network:
        where.append(NETWORK.in_([query.network]))
    if query.preauth:
        where.append(PREAUTH.in_([query.preauth]))
    if query.carve_out is not None:
        where.append(CARVE_OUT if query.carve_out else not_(CARVE_OUT))
    if query.visits == "none_left":
        where.append(literal(0) == VISITS_LEFT)
    elif query.visits == "some_left":
        where.append(literal(0) < VISITS_LEFT)
    elif query.visits == "not_reported":
        where.append(VISITS_LEFT.is_(None))
    if query.cost == "shown":
        where.append(and_(COST_HIGH.is_not(None), OUTCOME == "active"))
    elif query.cost == "not_shown":
        where.append(or_(COST_HIGH.is_(None), OUTCOME != "active"))
    if query.callback is not None:
        where.append(CALLBACK_OPEN if query.callback else not_(CALLBACK_OPEN))
    if query.source:
        where.append(Verification.source == query.source)
    if query.auth_alert is not None:
        alert = _auth_alert(today)
        where.append(alert if query.auth_alert else not_(alert))
    if query.batch_id:
        where.append(
            Verification.id.in_(
                select(BatchRow.verification_id).where(BatchRow.batch_id == query.batch_id)
            )
        )
    return where


def _order(query: TriageQuery) -> list[Any]:
    column = SORTS.get(query.sort, SORTS["age"])
    if query.sort == "age":  # oldest first is "descending age"
        primary = column.asc() if query.descending else column.desc()
    else:
        primary = column.desc() if query.descending else column.asc()
    return [primary.nulls_last(), Verification.id]


def search(runtime: Runtime, query: TriageQuery) -> dict[str, Any]:
    """One page of the queue, its total, and the count of each outcome under the filters."""
    today = utcnow().date()
    per_page = max(1, min(query.per_page, work.MAX_PAGE))
    page = max(1, query.page)
    where = _conditions(query, today)
    with runtime.db.session() as session:
        total = int(
            session.execute(
                select(func.count()).select_from(Verification).where(*where)
            ).scalar_one()
        )
        by_outcome: dict[str, int] = dict(
            session.execute(
                select(OUTCOME.label("o"), func.count())
                .select_from(Verification)
                .where(*where)
                .group_by(OUTCOME)
            ).all()
        )
        rows = session.execute(
            select(
                Verification,
                OUTCOME.label("outcome"),
                NETWORK.label("network"),
                PREAUTH.label("preauth"),
                CARVE_OUT.label("carve_out"),
            )
            .where(*where)
            .order_by(*_order(query))
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        items = [
            _item(runtime, row, outcome, network, preauth, bool(carve))
            for row, outcome, network, preauth, carve in rows
        ]
    alerts = authorizations.alerts_by_verification(runtime, [item["id"] for item in items])
    for item in items:
        item["auth_alerts"] = alerts.get(item["id"], [])
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "by_outcome": {outcome: int(by_outcome.get(outcome, 0)) for outcome in OUTCOMES},
    }


def _item(
    runtime: Runtime, row: Verification, outcome: str, network: str, preauth: str, carve: bool
) -> dict[str, Any]:
    item = work._row(runtime, row)
    summary = row.summary if isinstance(row.summary, dict) else {}
    held = summary.get("carve_out")
    answer: dict[str, Any] = (
        held if isinstance(held, dict) and "coverage" in held else summary
    )  # a carve-out's administrator answer first, see VISITS_LEFT
    visits = answer.get("visit_limit") or {}
    estimate = answer.get("estimate") or {}
    phone = email = False
    if row.contact_enc and row.purged_at is None:
        try:
            contact = ContactRecord.from_json(
                unseal(runtime.keyring, "contact", row.id, row.contact_enc)
            )
            phone, email = bool(contact.phone), bool(contact.email)
        except (ValueError, KeyError, TypeError):
            pass  # shown as no contact; the detail page says the record will not open
    age = utcnow() - row.created_at
    return item | {
        "outcome": outcome,
        "network": network,
        "preauth": preauth,
        "carve_out": carve,
        "visits_left": visits.get("remaining"),
        "visits_allowed": visits.get("allowed"),
        "cost": _cost(estimate) if outcome == "active" else None,
        "callback_status": (row.callback_status or "new") if row.callback_requested else None,
        "has_phone": phone,
        "has_email": email,
        "age": _age(age),
    }


def _cost(estimate: dict[str, Any]) -> str | None:
    low, high = estimate.get("patient_cost_low"), estimate.get("patient_cost_high")
    if low is None or high is None:
        return None
    low_text, high_text = grid.dollars(Decimal(str(low))), grid.dollars(Decimal(str(high)))
    return low_text if low_text == high_text else f"{low_text}–{high_text}"


def _age(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def recent_batches(runtime: Runtime, limit: int = 10) -> list[dict[str, Any]]:
    """The newest batches with their progress (final rows of total), for the queue page."""
    with runtime.db.session() as session:
        batches = list(
            session.execute(select(Batch).order_by(Batch.created_at.desc()).limit(limit)).scalars()
        )
        if not batches:
            return []
        final = dict(
            session.execute(
                select(BatchRow.batch_id, func.count())
                .join(Verification, Verification.id == BatchRow.verification_id)
                .where(
                    BatchRow.batch_id.in_([b.id for b in batches]),
                    Verification.status.in_(lifecycle.FINAL),
                )
                .group_by(BatchRow.batch_id)
            ).all()
        )
        return [
            {
                "id": b.id,
                "created_at": b.created_at.isoformat(),
                "created_by": b.created_by,
                "total": b.total,
                "accepted": b.accepted,
                "rejected": b.rejected,
                "done": int(final.get(b.id, 0)) + b.rejected,
                "percent": (100 * (int(final.get(b.id, 0)) + b.rejected) // b.total)
                if b.total
                else 100,
            }
            for b in batches
        ]

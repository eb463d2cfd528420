"""Batches: many members at once (staff), each row its own verification (source "batch").

Every row is validated with the intake schema; a bad row is kept as its line number and
the fields at fault (never the values), and does not stop the rest. Good rows become
verifications queued in batch jobs on the batch queue (checked side by side in threads,
see verifier.check_many), so visitors' checks are never behind a batch. A batch is
``completed`` when every row is final (a rejected row is final at once).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, update

from verifier import lifecycle, maintenance, service
from verifier.api import flatten_errors
from verifier.api.schemas import SubmitSchema
from verifier.api.verifications import submission_from
from verifier.runtime import Runtime
from verifier.store.models import Batch, BatchRow, Verification

# CSV columns: the submit body flattened (DESIGN §5); subscriber_* only for dependents.
MEMBER_COLUMNS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "member_id",
    "group_number",
    "relationship",
)
SUBSCRIBER_COLUMNS = ("first_name", "last_name", "date_of_birth", "member_id")
TOP_COLUMNS = ("payer_id", "level_of_care", "condition", "service_date")
CSV_COLUMNS = (
    *MEMBER_COLUMNS,
    *(f"subscriber_{c}" for c in SUBSCRIBER_COLUMNS),
    *TOP_COLUMNS,
)


class BatchInvalid(ValueError):
    """The upload as a whole cannot be read (not the rows: those are reported per line)."""


@dataclass(frozen=True)
class Created:
    id: str
    total: int
    accepted: int
    rejected: int


def items_from_csv(text: str) -> list[tuple[int, dict[str, Any]]]:
    """Submit bodies from CSV text, with each row's line number (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if not header or unknown:
        raise BatchInvalid(
            f"unknown column(s): {', '.join(unknown)}" if unknown else "the CSV has no header"
        )
    items = []
    for record in reader:
        cells = {k: (v or "").strip() for k, v in record.items() if k is not None}
        member = {c: cells[c] for c in MEMBER_COLUMNS if cells.get(c)}
        subscriber = {
            c: cells[f"subscriber_{c}"] for c in SUBSCRIBER_COLUMNS if cells.get(f"subscriber_{c}")
        }
        if subscriber:
            member["subscriber"] = subscriber
        body: dict[str, Any] = {c: cells[c] for c in TOP_COLUMNS if cells.get(c)}
        body |= {"member": member, "consent": True}  # staff attest consent for the batch
        items.append((reader.line_num, body))
    return items


def items_from_json(items: Iterable[Any]) -> list[tuple[int, dict[str, Any]]]:
    """Submit bodies from ``{"items": [...]}``; line n is item n (from 1)."""
    return [(n, item) for n, item in enumerate(items, start=1)]


def create(
    runtime: Runtime, items: list[tuple[int, Any]], *, created_by: str, source: str
) -> Created:
    """Validate each row, create a verification per good row, queue them in batch jobs."""
    if len(items) > runtime.settings.batch_max_rows:
        raise BatchInvalid(f"at most {runtime.settings.batch_max_rows} rows per batch")
    if not items:
        raise BatchInvalid("the batch has no rows")
    batch_id = uuid.uuid4().hex
    now = service.utcnow()
    schema = SubmitSchema()
    rows: list[BatchRow] = []
    queued: list[maintenance.Due] = []
    for line, body in items:
        errors: dict[str, list[str]] | None = None
        try:
            if not isinstance(body, dict):
                raise ValidationError({"_schema": ["Each item must be an object."]})
            data = schema.load(body)
            submitted = service.submit(
                runtime, submission_from(data), source="batch", enqueue=False
            )
        except ValidationError as exc:
            errors = flatten_errors(exc.messages)
        except service.UnknownPayer:
            errors = {"payer_id": ["Unknown insurance company."]}
        if errors is not None:
            rows.append(BatchRow(batch_id=batch_id, line=line, errors=errors))
            continue
        rows.append(BatchRow(batch_id=batch_id, line=line, verification_id=submitted.id))
        queued.append(maintenance.Due(submitted.id, 1, lifecycle.QUEUED, "batch", None))
    accepted = len(queued)
    with runtime.db.session() as session:
        session.add(
            Batch(
                id=batch_id,
                created_at=now,
                created_by=created_by,
                source=source,
                total=len(items),
                accepted=accepted,
                rejected=len(items) - accepted,
            )
        )
        session.add_all(rows)
    maintenance.requeue(runtime, queued, now, batched=True)
    return Created(batch_id, len(items), accepted, len(items) - accepted)


def progress(runtime: Runtime, batch_id: str) -> dict[str, Any] | None:
    """The batch's counts by state, ``status`` (running | completed) and each row."""
    with runtime.db.session() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            return None
        found = session.execute(
            select(
                BatchRow.line,
                BatchRow.verification_id,
                BatchRow.errors,
                Verification.status,
                Verification.reason,
                Verification.reason_detail,
                Verification.summary,
            )
            .outerjoin(Verification, Verification.id == BatchRow.verification_id)
            .where(BatchRow.batch_id == batch_id)
            .order_by(BatchRow.line)
        ).all()
        counts = dict.fromkeys(lifecycle.STATES, 0) | {"rejected": batch.rejected}
        for row in found:
            if row.status is not None:
                counts[row.status] += 1
        done = all(r.errors is not None or r.status in lifecycle.FINAL for r in found)
        if done and batch.completed_at is None:
            batch.completed_at = service.utcnow()
            session.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.completed_at.is_(None))
                .values(completed_at=batch.completed_at)
            )
        return {
            "id": batch.id,
            "status": "completed" if done else "running",
            "created_at": batch.created_at.isoformat(),
            "completed_at": batch.completed_at.isoformat() if batch.completed_at else None,
            "source": batch.source,
            "total": batch.total,
            "accepted": batch.accepted,
            "rejected": batch.rejected,
            "counts": counts,
            "rows": [_row(r) for r in found],
        }


def _row(row: Any) -> dict[str, Any]:
    if row.errors is not None:
        return {"line": row.line, "status": "rejected", "errors": row.errors}
    return {
        "line": row.line,
        "verification_id": row.verification_id,
        "status": row.status,
        "reason": row.reason if row.status in lifecycle.FINAL else None,
        "detail": row.reason_detail,
    }


RESULT_COLUMNS = (
    "line",
    "verification_id",
    "status",
    "reason",
    "detail",
    "errors",
    "coverage",
    "network",
    "preauthorization_required",
    "in_network_copay",
    "in_network_coinsurance",
    "in_network_deductible_left",
    "in_network_out_of_pocket_left",
    "visits_left",
)


def results_csv(runtime: Runtime, batch_id: str) -> str | None:
    """One line per input row: its outcome and the answer's key facts (no identifiers)."""
    view = progress(runtime, batch_id)
    if view is None:
        return None
    with runtime.db.session() as session:
        summaries: dict[str, Any] = dict(
            session.execute(
                select(Verification.id, Verification.summary)
                .join(BatchRow, BatchRow.verification_id == Verification.id)
                .where(BatchRow.batch_id == batch_id)
            ).all()
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    for row in view["rows"]:
        summary = summaries.get(row.get("verification_id")) or {}
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in (row.get("errors") or {}).items())
        writer.writerow(
            [
                row["line"],
                row.get("verification_id", ""),
                row["status"],
                row.get("reason") or "",
                row.get("detail") or "",
                errors,
                *(_cell(summary, path) for path in _SUMMARY_PATHS),
            ]
        )
    return out.getvalue()


_SUMMARY_PATHS = (
    "coverage.status",
    "network.status",
    "preauthorization.required",
    "benefits.in_network.copay.amount",
    "benefits.in_network.coinsurance",
    "benefits.in_network.deductible.individual.remaining",
    "benefits.in_network.out_of_pocket.individual.remaining",
    "visit_limit.remaining",
)


def _cell(summary: dict[str, Any], path: str) -> str:
    value: Any = summary
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)

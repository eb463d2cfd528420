"""Batches: many members at once (staff), each row its own verification (source "batch").

Every row is validated with the intake schema; a bad row is kept as its line number and
the fields at fault (never the values), and does not stop the rest. Good rows become
verifications queued in batch jobs on the batch queue (checked side by side in threads,
see verifications.check_many), so visitors' checks are never behind a batch. A batch is
``completed`` when every row is final (a rejected row is final at once).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, delete, func, insert, select, update

from verifier.coverage.model import CoverageSummary, fraction, money
from verifier.coverage.stored import stored_summary
from verifier.payers.directory import UnknownPayer
from verifier.runtime import Runtime
from verifier.store.models import Batch, BatchRow, Verification
from verifier.verifications import intake, lifecycle
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.queue import BATCH, chunk_jobs, enqueue_many
from verifier.verifications.schemas import SubmitSchema, flatten_errors, submission_from
from verifier.verifications.spreadsheet import safe_cell, unknown_columns_message
from verifier.webhooks import events as webhook_events

log = logging.getLogger(__name__)

# CSV columns: the submit body flattened (docs/design.md §5); subscriber_* only for dependents.
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
    try:  # issue 18: csv.Error (a field past the size limit) is the uploader's mistake
        return _items_from(reader)
    except csv.Error:
        raise BatchInvalid(
            f"line {reader.line_num + 1}: a field is longer than {csv.field_size_limit():,} "
            "characters, or a quote is not closed"
        ) from None


def _items_from(reader: csv.DictReader[str]) -> list[tuple[int, dict[str, Any]]]:
    header = reader.fieldnames or []
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if not header or unknown:
        raise BatchInvalid(
            unknown_columns_message(unknown, CSV_COLUMNS) if unknown else "the CSV has no header"
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
    """Validate every row, store the good ones in bulk, queue them in batch jobs.

    Rows are sealed and built in memory first, then written a chunk per transaction
    (verifications and their batch rows together). A failure part-way removes what was
    stored, so a batch is either whole or absent.
    """
    if len(items) > runtime.settings.batch_max_rows:
        raise BatchInvalid(f"at most {runtime.settings.batch_max_rows} rows per batch")
    if not items:
        raise BatchInvalid("the batch has no rows")
    batch_id = uuid.uuid4().hex
    now = utcnow()
    checked = _checked(runtime, items, now)
    jobs = _jobs(runtime, [row.values for row in checked if row.values is not None])
    accepted = sum(len(ids) for ids in jobs.values())
    stored: list[str] = []
    try:
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
        for start in range(0, len(checked), intake.CHUNK):
            stored.extend(_store(runtime, batch_id, checked[start : start + intake.CHUNK]))
    except Exception:
        _abandon(runtime, batch_id, stored)
        raise
    try:
        for job, ids in jobs.items():
            enqueue_many(runtime, job, ids, BATCH)
    except Exception:
        # The rows are safe as queued; the reconciler enqueues them once Redis is back.
        log.warning("enqueue failed for batch %s; left for reconcile", batch_id)
    return Created(batch_id, len(items), accepted, len(items) - accepted)


def _jobs(runtime: Runtime, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Group the rows into batch jobs of VERIFIER_BATCH_CHUNK and note each row's job.

    The same chunking as ``maintenance.requeue(batched=True)`` (``queue.chunk_jobs``),
    done before the rows are stored: one conditional UPDATE per row was most of a
    10,000-row batch's time.
    """
    jobs: dict[str, list[str]] = {}
    for job, part in chunk_jobs(
        rows, runtime.settings.batch_chunk, lambda values: (values["id"], values["run_seq"])
    ):
        for values in part:
            values["job_id"] = job
        jobs[job] = [values["id"] for values in part]
    return jobs


@dataclass(frozen=True)
class _Checked:
    line: int
    values: dict[str, Any] | None  # the verification's columns, or
    errors: dict[str, list[str]] | None  # the fields at fault (never their values)


def _checked(runtime: Runtime, items: list[tuple[int, Any]], now: dt.datetime) -> list[_Checked]:
    schema = SubmitSchema()
    checked = []
    for line, body in items:
        try:
            if not isinstance(body, dict):
                raise ValidationError({"_schema": ["Each item must be an object."]})
            submission = submission_from(schema.load(body))
            values, _token = intake.verification_values(
                runtime, submission, source="batch", now=now
            )
        except ValidationError as exc:
            checked.append(_Checked(line, None, flatten_errors(exc.messages)))
        except UnknownPayer:
            checked.append(_Checked(line, None, {"payer_id": ["Unknown insurance company."]}))
        else:
            checked.append(_Checked(line, values, None))
    return checked


def _store(runtime: Runtime, batch_id: str, part: list[_Checked]) -> list[str]:
    """One transaction: these rows' verifications, then their batch rows; the ids stored."""
    verifications = [row.values for row in part if row.values is not None]
    with runtime.db.session() as session:
        if verifications:
            session.execute(insert(Verification), verifications)
            session.execute(
                insert(BatchRow),
                [
                    {"batch_id": batch_id, "line": row.line, "verification_id": row.values["id"]}
                    for row in part
                    if row.values is not None
                ],
            )
        rejected = [row for row in part if row.errors is not None]
        if rejected:
            session.execute(
                insert(BatchRow),
                [
                    {"batch_id": batch_id, "line": row.line, "errors": row.errors}
                    for row in rejected
                ],
            )
    return [values["id"] for values in verifications]


def _abandon(runtime: Runtime, batch_id: str, stored: list[str]) -> None:
    with runtime.db.session() as session:
        session.execute(delete(Batch).where(Batch.id == batch_id))
    intake.discard(runtime, stored)


DEFAULT_PER_PAGE = 500
MAX_PER_PAGE = 1000


def progress(
    runtime: Runtime, batch_id: str, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any] | None:
    """The batch's counts by state, ``status`` (running | completed) and one page of rows.

    Counts come from one GROUP BY over the whole batch; only the page's rows are read.
    The batch is completed when its final rows and rejected rows add up to its total.
    """
    hooked: list[str] = []
    with runtime.db.session() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            return None
        by_state = session.execute(
            select(Verification.status, func.count())
            .join(BatchRow, BatchRow.verification_id == Verification.id)
            .where(BatchRow.batch_id == batch_id)
            .group_by(Verification.status)
        ).all()
        counts = dict.fromkeys(lifecycle.STATES, 0) | {"rejected": batch.rejected}
        for state, count in by_state:
            counts[state] = int(count)
        final = batch.rejected + sum(counts[state] for state in lifecycle.FINAL)
        done = final == batch.total
        completed_at = batch.completed_at
        if done and completed_at is None:
            completed_at = utcnow()
            marked = session.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.completed_at.is_(None))
                .values(completed_at=completed_at)
                .execution_options(synchronize_session=False)
            )
            # Webhooks (issue 20): batch.completed, once, in this transaction.
            hooked += webhook_events.batch_completed(session, runtime, batch, counts, marked)
        found = session.execute(
            _rows_query(batch_id).limit(per_page).offset((page - 1) * per_page)
        ).all()
        pages = -(-batch.total // per_page)
        shown = {
            "id": batch.id,
            "status": "completed" if done else "running",
            "created_at": batch.created_at.isoformat(),
            "completed_at": completed_at.isoformat() if completed_at else None,
            "source": batch.source,
            "total": batch.total,
            "accepted": batch.accepted,
            "rejected": batch.rejected,
            "counts": counts,
            "page": page,
            "per_page": per_page,
            "pages": pages,
            "next_page": page + 1 if page < pages else None,
            "rows": [_row(r) for r in found],
        }
    webhook_events.kick(runtime, hooked)
    return shown


def _rows_query(batch_id: str) -> Select[Any]:
    return (
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
    )


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


# The answer's columns in results.csv, read from the typed summary ("" = not reported).
SUMMARY_FACTS: tuple[tuple[str, Callable[[CoverageSummary], Any]], ...] = (
    ("coverage", lambda s: s.coverage.status.value),
    ("network", lambda s: s.network.status.value),
    ("preauthorization_required", lambda s: s.preauthorization.required),
    ("in_network_copay", lambda s: money(s.in_network.copay.amount)),
    ("in_network_coinsurance", lambda s: fraction(s.in_network.coinsurance)),
    ("in_network_deductible_left", lambda s: money(s.in_network.deductible.individual.remaining)),
    (
        "in_network_out_of_pocket_left",
        lambda s: money(s.in_network.out_of_pocket.individual.remaining),
    ),
    ("visits_left", lambda s: s.visit_limit.remaining),
)
RESULT_COLUMNS = (
    "line",
    "verification_id",
    "status",
    "reason",
    "detail",
    "errors",
    *(name for name, _ in SUMMARY_FACTS),
)


def results_csv(runtime: Runtime, batch_id: str) -> Iterator[str] | None:
    """One line per input row: its outcome and the answer's key facts (no identifiers).

    None for an unknown batch; otherwise the CSV as it is read, RESULTS_CHUNK rows at a
    time (by line), so a 10,000-row batch is never held whole in memory.
    """
    with runtime.db.session() as session:
        if session.get(Batch, batch_id) is None:
            return None
    return _result_lines(runtime, batch_id)


RESULTS_CHUNK = 1000


def _result_lines(runtime: Runtime, batch_id: str) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    after = 0
    while True:
        with runtime.db.session() as session:
            found = session.execute(
                _rows_query(batch_id).where(BatchRow.line > after).limit(RESULTS_CHUNK)
            ).all()
        for row in found:
            view = _row(row)
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in (row.errors or {}).items())
            writer.writerow(
                safe_cell(cell)  # issue 18: a payer's text is never a formula
                for cell in [
                    view["line"],
                    view.get("verification_id", ""),
                    view["status"],
                    view.get("reason") or "",
                    view.get("detail") or "",
                    errors,
                    *_summary_cells(stored_summary(row.summary)),
                ]
            )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(found) < RESULTS_CHUNK:
            return
        after = found[-1].line


def _summary_cells(summary: CoverageSummary | None) -> list[str]:
    if summary is None:
        return ["" for _ in SUMMARY_FACTS]
    cells = []
    for _, fact in SUMMARY_FACTS:
        value = fact(summary)
        cells.append("" if value is None else str(value))
    return cells

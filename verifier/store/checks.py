"""The check path's SQL, built once per process and executed with parameters.

A batch worker runs hundreds of checks a second, each one claim (UPDATE ... RETURNING and
an INSERT) and one finish (two UPDATEs). Building a SQLAlchemy statement costs more CPU
than SQLite spends running it (coercions, cache keys, the ORM's bulk-update layer), so
these statements are built on the tables, not the ORM entities, once, with bind
parameters, and reused: the compiled form is then found in the engine's cache at once.
Built lazily (``functools.cache``), never at import.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.selectable import Select

from verifier.store.models import Attempt, Verification
from verifier.verifications import lifecycle

VERIFICATIONS: Table = Verification.__table__  # type: ignore[assignment]
ATTEMPTS: Table = Attempt.__table__  # type: ignore[assignment]

# What a claim reads back: what building the 270 and judging the answer need.
CLAIMED = (
    "id",
    "payer_id",
    "level_of_care",
    "condition",
    "service_date",
    "summary",
    "previous_summary",
    "changes",
    "member_enc",
    "attempt_count",
    "run_attempts",
)


def _param(table: Table, column: str) -> Any:
    """A bind parameter typed like ``column`` (named apart: SET reserves column names)."""
    return bindparam(f"p_{column}", type_=table.c[column].type)


@functools.cache
def claim() -> Update:
    """Take a row that is ours to run: queued, a retry that is due, or a dead lease.

    Parameters: p_id, p_now, p_due_by (now + tolerance), p_lease_expires_at,
    p_lease_holder (verifications.leases.holder()).
    """
    v = VERIFICATIONS.c
    now = bindparam("p_now", type_=v.updated_at.type)
    return (
        update(VERIFICATIONS)
        .where(
            v.id == _param(VERIFICATIONS, "id"),
            or_(
                v.status == lifecycle.QUEUED,
                (v.status == lifecycle.RETRY_WAIT)
                & or_(
                    v.next_attempt_at.is_(None),
                    v.next_attempt_at <= bindparam("p_due_by", type_=v.next_attempt_at.type),
                ),
                (v.status == lifecycle.RUNNING) & (v.lease_expires_at < now),
            ),
        )
        .values(
            status=lifecycle.RUNNING,
            lease_expires_at=_param(VERIFICATIONS, "lease_expires_at"),
            lease_holder=_param(VERIFICATIONS, "lease_holder"),
            attempt_count=v.attempt_count + 1,
            run_attempts=v.run_attempts + 1,
            next_attempt_at=None,
            updated_at=now,
        )
        .returning(*(v[name] for name in CLAIMED))
    )


@functools.cache
def run_started() -> Select[Any]:
    """When this run's first attempt began. Parameters: p_verification_id, p_number."""
    a = ATTEMPTS.c
    return select(func.min(a.started_at)).where(
        a.verification_id == _param(ATTEMPTS, "verification_id"),
        a.number >= _param(ATTEMPTS, "number"),
    )


OPENED = ("verification_id", "number", "started_at", "adapter", "payer_id", "trace_number")


@functools.cache
def open_attempt() -> Insert:
    """An attempt row, started and not finished; returns its id. Parameters: p_<OPENED>."""
    return (
        insert(ATTEMPTS)
        .values({name: _param(ATTEMPTS, name) for name in OPENED})
        .returning(ATTEMPTS.c.id)
    )


@functools.cache
def close_attempt(columns: frozenset[str]) -> Update:
    """Set ``columns`` on one attempt. Parameters: p_id and p_<column> for each."""
    return (
        update(ATTEMPTS)
        .where(ATTEMPTS.c.id == _param(ATTEMPTS, "id"))
        .values({name: _param(ATTEMPTS, name) for name in sorted(columns)})
    )


@functools.cache
def finish(columns: frozenset[str]) -> Update:
    """Write an outcome, only while the row is still running (the lease holder's write).

    Parameters: p_id and p_<column> for each of ``columns``.
    """
    v = VERIFICATIONS.c
    return (
        update(VERIFICATIONS)
        .where(v.id == _param(VERIFICATIONS, "id"), v.status == lifecycle.RUNNING)
        .values({name: _param(VERIFICATIONS, name) for name in sorted(columns)})
    )


def params(values: dict[str, Any], **more: Any) -> dict[str, Any]:
    """``{"p_<column>": value}`` for a statement above."""
    return {f"p_{name}": value for name, value in (values | more).items()}

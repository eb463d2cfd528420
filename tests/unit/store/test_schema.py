"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from verifier import audit
from verifier.store.models import AuditEvent, Base


def test_migrations_match_the_models(runtime: Any) -> None:
    with runtime.db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []


def _audit_row(runtime: Any) -> int:
    audit.record(runtime.db, runtime.audit_keys, audit.Entry(actor="test", action="view"))
    with runtime.db.session() as session:
        return int(session.execute(select(func.max(AuditEvent.id))).scalar_one())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'someone else' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
)
def test_the_audit_trail_refuses_changes_in_the_database(runtime: Any, statement: str) -> None:
    event_id = _audit_row(runtime)
    with pytest.raises(DBAPIError, match="append-only"), runtime.db.engine.begin() as connection:
        connection.execute(text(statement), {"id": event_id})


def test_times_come_back_as_utc(runtime: Any) -> None:
    event_id = _audit_row(runtime)
    with runtime.db.session() as session:
        event = session.get_one(AuditEvent, event_id)
        assert event.at.tzinfo is not None
        assert event.at.utcoffset() == dt.timedelta(0)

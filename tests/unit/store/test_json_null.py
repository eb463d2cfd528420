"""None in a JSON column is SQL NULL, so ``IS NULL`` queries and reports see it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import migrated_database
from tests.unit.api.test_intake import URL, valid_body
from verifier import service
from verifier.store.db import normalize_url
from verifier.store.migrate import upgrade
from verifier.store.models import Attempt


@pytest.fixture
def settings(inline_settings: Any) -> Any:
    return inline_settings


def test_an_attempt_without_a_summary_stores_sql_null(client: Any, runtime: Any) -> None:
    body = valid_body()
    body["member"]["member_id"] = "SBX-GARBAGE-1"  # garbage answer: failed, no summary
    verification_id = client.post(URL, json=body).get_json()["id"]
    assert service.run_check(runtime, verification_id) == "failed"
    with runtime.db.engine.connect() as connection:
        nulls = connection.execute(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.verification_id == verification_id, Attempt.summary.is_(None))
        ).scalar_one()
    assert nulls == 1


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def before_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with migrated_database(request.param, tmp_path, revision="0005_patient") as url:
        yield url


def test_migration_0006_turns_the_json_text_null_into_sql_null(before_0006: str) -> None:
    engine = create_engine(normalize_url(before_0006))
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO batches (id, created_at, created_by, source, total, accepted, rejected)"
            " VALUES ('b1', '2026-11-27 00:00:00+00:00', 'staff@example.org', 'csv', 2, 0, 2)"
        ))
        connection.execute(text(
            "INSERT INTO batch_rows (batch_id, line, errors) VALUES"
            " ('b1', 1, 'null'), ('b1', 2, '{\"member_id\": [\"required\"]}')"
        ))
    upgrade(before_0006)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT line, errors IS NULL FROM batch_rows ORDER BY line")
        ).all()
    engine.dispose()
    assert [(line, bool(null)) for line, null in rows] == [(1, True), (2, False)]

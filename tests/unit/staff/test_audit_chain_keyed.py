"""The audit chain cannot be rewritten without the key, nor cut short past a checkpoint.

The attacker here can write to the database (drops the triggers, edits rows, recomputes
hashes) but does not hold VERIFIER_AUDIT_KEY. Each test works on a private database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from config.settings import Settings
from tests.conftest import migrated_database
from verifier import audit


@pytest.fixture
def chain(make_app: Any, settings: Settings, tmp_path: Path) -> Iterator[Any]:
    with migrated_database("sqlite", tmp_path) as url:
        runtime = make_app(dataclasses.replace(settings, database_url=url)).extensions["verifier"]
        for n in range(6):
            audit.record(
                runtime.db,
                runtime.audit_keys,
                audit.Entry(actor=f"c{n}@center.example", action="view", object_id=f"v{n}"),
                records=[f"v{n}", f"w{n}"],
            )
        with runtime.db.engine.begin() as connection:
            for name in ("events_no_update", "events_no_delete", "records_no_delete"):
                connection.execute(text(f"DROP TRIGGER audit_{name}"))
        yield runtime


def sha256_chain(connection: Any) -> None:
    """Recompute every row's hash as an unkeyed chain would (what the attacker can do)."""
    prev = audit.GENESIS
    rows = connection.execute(
        text(
            "SELECT id, at, actor, action, object_type, object_id, outcome, source_addr,"
            " request_id FROM audit_events ORDER BY id"
        )
    ).all()
    for row in rows:
        at = dt.datetime.fromisoformat(str(row.at)).replace(tzinfo=dt.UTC)
        body = json.dumps(
            [
                prev,
                at.isoformat(timespec="microseconds"),
                row.actor,
                row.action,
                row.object_type,
                row.object_id,
                row.outcome,
                row.source_addr,
                row.request_id,
            ],
            separators=(",", ":"),
        )
        digest = hashlib.sha256(body.encode()).hexdigest()
        connection.execute(
            text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": digest, "id": row.id},
        )
        prev = digest


def run(runtime: Any, make_app: Any, *args: str) -> Any:
    app = make_app(runtime.settings)
    return app.test_cli_runner().invoke(args=list(args))


def test_an_edited_row_with_every_hash_recomputed_breaks_the_chain(chain: Any) -> None:
    with chain.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'nobody' WHERE id = 3"))
        sha256_chain(connection)

    report = audit.verify(chain.db, chain.audit_keys)

    assert report.broken_at == 1
    assert "HMAC" in (report.problem or "")


def test_a_changed_list_of_records_shown_breaks_the_chain(chain: Any) -> None:
    with chain.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records WHERE event_id = 4 AND position = 1"))

    assert audit.verify(chain.db, chain.audit_keys).broken_at == 4


def test_the_cli_says_broken_and_exits_1(chain: Any, make_app: Any) -> None:
    with chain.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET outcome = 'denied' WHERE id = 2"))

    result = run(chain, make_app, "audit", "verify")

    assert result.exit_code == 1
    assert "audit chain BROKEN at row 2" in result.output


def test_deleting_the_newest_rows_is_caught_by_a_checkpoint(
    chain: Any, make_app: Any, tmp_path: Path
) -> None:
    point = tmp_path / "checkpoint.json"
    assert run(chain, make_app, "audit", "checkpoint", "--out", str(point)).exit_code == 0
    with chain.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records WHERE event_id >= 5"))
        connection.execute(text("DELETE FROM audit_events WHERE id >= 5"))
    assert audit.verify(chain.db, chain.audit_keys).broken_at is None  # a valid shorter chain

    result = run(chain, make_app, "audit", "verify", "--checkpoint", str(point))

    assert result.exit_code == 1
    assert "audit chain TRUNCATED: row 6" in result.output
    assert "(4 rows now, 6 then)" in result.output


def test_a_chain_rewritten_as_unkeyed_rows_is_caught_by_a_checkpoint(
    chain: Any, make_app: Any, tmp_path: Path
) -> None:
    point = tmp_path / "checkpoint.json"
    run(chain, make_app, "audit", "checkpoint", "--out", str(point))
    with chain.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records"))
        connection.execute(text("UPDATE audit_events SET key_id = NULL, actor = 'x'"))
        sha256_chain(connection)

    result = run(chain, make_app, "audit", "verify", "--checkpoint", str(point))

    assert result.exit_code == 1
    assert "differs from the checkpoint" in result.output


def test_an_edited_checkpoint_is_refused(chain: Any, make_app: Any, tmp_path: Path) -> None:
    point = tmp_path / "checkpoint.json"
    run(chain, make_app, "audit", "checkpoint", "--out", str(point))
    body = json.loads(point.read_text())
    point.write_text(json.dumps(body | {"rows": 2, "head_id": 2}))

    result = run(chain, make_app, "audit", "verify", "--checkpoint", str(point))

    assert result.exit_code == 1
    assert "checkpoint REFUSED: the checkpoint's signature does not match" in result.output


def test_an_intact_chain_holds_against_its_checkpoint(
    chain: Any, make_app: Any, tmp_path: Path
) -> None:
    point = tmp_path / "checkpoint.json"
    run(chain, make_app, "audit", "checkpoint", "--out", str(point))
    audit.record(chain.db, chain.audit_keys, audit.Entry(actor="later", action="search"))

    result = run(chain, make_app, "audit", "verify", "--checkpoint", str(point))

    assert result.exit_code == 0, result.output
    assert "audit chain intact: 7 rows" in result.output
    assert "6 rows up to 6" in result.output


def test_the_audit_key_is_not_stored_in_the_database(chain: Any) -> None:
    key = chain.audit_keys.keys[chain.audit_keys.primary]
    raw = Path(chain.settings.database_url.removeprefix("sqlite:///")).read_bytes()
    assert key not in raw
    assert repr(key) not in repr(chain.audit_keys)

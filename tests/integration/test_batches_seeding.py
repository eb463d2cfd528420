"""Creating a batch in bulk: each row is stored exactly as a submit would store it, the
rows are queued in batch jobs of VERIFIER_BATCH_CHUNK, and a failure part-way leaves
nothing behind. No worker runs here: these tests read the rows and the queues.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from config.settings import Settings
from tests.conftest import migrated_database
from tests.fakes.rows import age_one_lease, batch_ids, clear_queues, row_of
from tests.fakes.submissions import body_for
from verifier import create_app
from verifier.store.crypto import DecryptionError
from verifier.store.models import Batch, Verification
from verifier.store.records import unseal
from verifier.verifications import batches, intake, maintenance
from verifier.verifications.intake import submit
from verifier.verifications.queue import BATCH, VISITOR, get_queue
from verifier.verifications.schemas import SubmitSchema, submission_from

# Columns that differ between any two verifications, whoever stored them.
PER_ROW = {"id", "created_at", "updated_at", "token_hash", "token_expires_at"}
SEALED = {"member_enc": "member", "contact_enc": "contact"}


@pytest.fixture
def chunked_app(batch_env: dict[str, str]) -> Iterator[Any]:
    settings = dataclasses.replace(Settings.from_env(batch_env), batch_chunk=2)
    application = create_app(settings)
    yield application
    runtime = application.extensions["verifier"]
    try:
        clear_queues(runtime)
    finally:
        runtime.db.dispose()


def test_a_batch_row_is_stored_like_a_submitted_verification(
    batch_app: Any,
    bearer: dict[str, str],
) -> None:
    runtime = batch_app.extensions["verifier"]
    body = body_for("SBX-ACTIVE-4242")
    data = SubmitSchema().load(body)
    submitted = row_of(
        runtime, submit(runtime, submission_from(data), source="batch", enqueue=False).id
    )
    client = batch_app.test_client()
    created = client.post("/api/v1/batches", json={"items": [body]}, headers=bearer).get_json()
    stored = row_of(runtime, batch_ids(runtime, created["id"])[0])

    columns = [column.key for column in Verification.__table__.columns]
    filled = {name for name in columns if getattr(submitted, name) is not None}
    assert {name for name in columns if getattr(stored, name) is not None} == filled | {"job_id"}
    for name in set(columns) - PER_ROW - set(SEALED) - {"job_id"}:
        assert getattr(stored, name) == getattr(submitted, name), name
    assert stored.token_hash and stored.token_hash != submitted.token_hash
    assert stored.token_expires_at is not None and submitted.token_expires_at is not None
    assert (
        stored.token_expires_at - stored.created_at
        == submitted.token_expires_at - submitted.created_at
    )
    for column, name in SEALED.items():
        own = unseal(runtime.keyring, name, stored.id, getattr(stored, column))
        assert own == unseal(runtime.keyring, name, submitted.id, getattr(submitted, column))
        with pytest.raises(DecryptionError):  # bound to its own row, like a submit's
            unseal(runtime.keyring, name, submitted.id, getattr(stored, column))


def test_a_batch_is_queued_in_batch_jobs_of_the_configured_size(
    chunked_app: Any,
    bearer: dict[str, str],
) -> None:
    runtime = chunked_app.extensions["verifier"]
    items = [body_for(f"SBX-ACTIVE-{n}") for n in range(5)]
    client = chunked_app.test_client()
    created = client.post("/api/v1/batches", json={"items": items}, headers=bearer).get_json()

    ids = batch_ids(runtime, created["id"])
    queue = get_queue(runtime, BATCH)
    jobs = [queue.fetch_job(job) for job in queue.get_job_ids()]
    assert [job.args[0] for job in jobs if job] == [ids[0:2], ids[2:4], ids[4:5]]
    assert get_queue(runtime, VISITOR).count == 0
    for job in jobs:
        assert job is not None
        assert {row_of(runtime, vid).job_id for vid in job.args[0]} == {job.id}
    assert {row_of(runtime, vid).status for vid in ids} == {"queued"}


def test_a_failure_while_storing_leaves_no_batch_and_no_verifications(
    batch_app: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = batch_app.extensions["verifier"]
    # Deliberate fault injection around the real _store: no practical real fault reaches _abandon.
    real_store = batches._store
    calls: list[int] = []

    def store_then_fail(*args: Any) -> list[str]:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real_store(*args)

    monkeypatch.setattr(intake, "CHUNK", 2)
    monkeypatch.setattr(batches, "_store", store_then_fail)
    with runtime.db.session() as session:
        before = session.execute(select(func.count(Verification.id))).scalar_one()
        batches_before = session.execute(select(func.count(Batch.id))).scalar_one()
    items = batches.items_from_json([body_for(f"SBX-ACTIVE-{n}") for n in range(6)])

    with pytest.raises(RuntimeError, match="database went away"):
        batches.create(runtime, items, created_by="coordinator@center.example", source="json")

    with runtime.db.session() as session:
        assert session.execute(select(func.count(Verification.id))).scalar_one() == before
        assert session.execute(select(func.count(Batch.id))).scalar_one() == batches_before
    assert get_queue(runtime, BATCH).count == 0


@pytest.fixture
def own_env(
    batch_env: dict[str, str],
    database_url: str,
    tmp_path: Path,
) -> Iterator[dict[str, str]]:
    """A database of its own: reconcile "as of" later would touch other tests' rows."""
    with migrated_database(database_url, tmp_path) as url:
        yield batch_env | {"DATABASE_URL": url}


def test_a_batch_stored_while_redis_is_down_is_queued_later_by_reconcile(
    own_env: dict[str, str],
) -> None:
    settings = Settings.from_env(own_env)
    offline = create_app(dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    online = create_app(settings)
    runtime = online.extensions["verifier"]
    try:
        items = batches.items_from_json([body_for(f"SBX-ACTIVE-{n}") for n in range(3)])
        created = batches.create(
            offline.extensions["verifier"], items, created_by="c@center.example", source="json"
        )
        ids = batch_ids(runtime, created.id)
        assert len(ids) == 3 and get_queue(runtime, BATCH).count == 0
        age_one_lease(runtime)
        assert maintenance.reconcile(runtime) == 3
        queued = [vid for job in get_queue(runtime, BATCH).get_jobs() for vid in job.args[0]]
        assert sorted(queued) == sorted(ids)
    finally:
        clear_queues(runtime)
        for application in (offline, online):
            application.extensions["verifier"].db.dispose()

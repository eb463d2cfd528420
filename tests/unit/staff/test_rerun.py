"""Re-run: a coordinator's new run is started once, or they are told why it was not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, text, update

from tests.fakes.submissions import URL
from verifier.store.models import Verification
from verifier.verifications import lifecycle


@contextmanager
def another_writer_first(runtime: Any, verification_id: str) -> Iterator[list[str]]:
    """Just before this process's next UPDATE of the row, another connection re-runs it.

    That is the race: read, then someone else writes, then our conditional write. The
    other write goes through its own connection and commits, as a second web worker would.
    """
    engine = runtime.db.engine
    fired: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if fired or not statement.lstrip().upper().startswith("UPDATE VERIFICATIONS"):
            return
        fired.append(statement)
        with engine.connect() as other:
            other.execute(
                text("UPDATE verifications SET run_seq = run_seq + 1 WHERE id = :id"),
                {"id": verification_id},
            )
            other.commit()

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _row(runtime: Any, verification_id: str) -> Any:
    with runtime.db.session() as session:
        return session.execute(
            select(Verification).where(Verification.id == verification_id)
        ).scalar_one()


def test_a_rerun_that_loses_the_row_is_refused_not_reported(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    with another_writer_first(runtime, submitted) as fired:
        response = client.post(
            f"{URL}/{submitted}/rerun", json={"level_of_care": "php"}, headers=bearer
        )
    assert fired, "the race was not staged"
    assert response.status_code == 409
    assert "changed meanwhile" in str(response.get_json())
    row = _row(runtime, submitted)
    assert row.level_of_care == "iop"  # the coordinator's change was not half-applied
    assert row.run_seq == 2 and row.status == lifecycle.COMPLETED  # only the other write


def test_the_console_says_a_lost_rerun_was_not_done(
    runtime: Any, signed_in: Any, submitted: str
) -> None:
    from tests.unit.staff.conftest import csrf_of

    page = signed_in.get(f"/console/verifications/{submitted}")
    with another_writer_first(runtime, submitted):
        response = signed_in.post(
            f"/console/verifications/{submitted}/rerun",
            data={"csrf_token": csrf_of(page), "level_of_care": "php"},
        )
    assert response.status_code == 409  # the page itself is the console's error page
    assert _row(runtime, submitted).level_of_care == "iop"


def test_another_level_of_care_while_a_check_is_on_its_way_is_refused(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    assert client.post(f"{URL}/{submitted}/rerun", json={}, headers=bearer).status_code == 202
    response = client.post(
        f"{URL}/{submitted}/rerun", json={"level_of_care": "php"}, headers=bearer
    )
    assert response.status_code == 409
    assert _row(runtime, submitted).level_of_care == "iop"


def test_the_same_rerun_twice_keeps_the_run_on_its_way(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    first = client.post(f"{URL}/{submitted}/rerun", json={}, headers=bearer).get_json()
    second = client.post(f"{URL}/{submitted}/rerun", json={}, headers=bearer).get_json()
    assert first["run"] == second["run"] == 2


def test_a_rerun_starts_a_clean_run_without_the_old_job_or_lease(
    client: Any, runtime: Any, bearer: Any, submitted: str
) -> None:
    with runtime.db.session() as session:
        session.execute(
            update(Verification)
            .where(Verification.id == submitted)
            .values(job_id="many-old-batch-job", run_attempts=4, reason="payer_unavailable")
        )
    assert client.post(f"{URL}/{submitted}/rerun", json={}, headers=bearer).status_code == 202
    row = _row(runtime, submitted)
    assert (row.status, row.run_seq, row.run_attempts) == (lifecycle.QUEUED, 2, 0)
    assert row.job_id is None and row.lease_expires_at is None and row.reason is None


@pytest.mark.parametrize("status", [lifecycle.QUEUED, lifecycle.COMPLETED])
def test_start_new_run_applies_only_to_the_row_as_it_was_seen(
    runtime: Any, submitted: str, status: str
) -> None:
    stale = lifecycle.RunStart(submitted, run_seq=1, status=status)
    with runtime.db.session() as session:
        won = lifecycle.start_new_run(session, stale, lifecycle.utcnow(), restart=True)
    assert won is (status == lifecycle.COMPLETED)
    with runtime.db.session() as session:
        again = lifecycle.start_new_run(session, stale, lifecycle.utcnow(), restart=True)
    assert again is False  # the row moved on: the second caller loses

"""The batch view in pages: rows in line order, counts over the whole batch on every
page, the next page named, bad paging refused by field; the results CSV stays whole.

No worker runs here: rows stay queued unless a test moves them on in the database.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import update

from tests.fakes.rows import batch_ids
from tests.fakes.submissions import body_for
from verifier.store.models import Verification
from verifier.verifications import batches


def bad_row() -> dict[str, Any]:
    body = body_for("SBX-ACTIVE-0")
    del body["member"]["last_name"]
    return body


@pytest.fixture
def created(batch_app: Any, bearer: dict[str, str]) -> dict[str, Any]:
    """Seven rows: lines 2 and 5 rejected, five queued."""
    items = [bad_row() if n in (2, 5) else body_for(f"SBX-ACTIVE-{n}") for n in range(1, 8)]
    response = batch_app.test_client().post(
        "/api/v1/batches", json={"items": items}, headers=bearer
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    data: dict[str, Any] = response.get_json()
    return data


def page(batch_app: Any, bearer: dict[str, str], url: str, **query: Any) -> Any:
    return batch_app.test_client().get(url, query_string=query, headers=bearer)


def test_rows_come_in_pages_in_line_order_each_naming_the_next(
    batch_app: Any,
    bearer: dict[str, str],
    created: dict[str, Any],
) -> None:
    first = page(batch_app, bearer, created["status_url"], per_page=3).get_json()
    assert [row["line"] for row in first["rows"]] == [1, 2, 3]
    assert (first["page"], first["per_page"], first["pages"], first["next_page"]) == (1, 3, 3, 2)
    second = batch_app.test_client().get(first["next_url"], headers=bearer).get_json()
    assert [row["line"] for row in second["rows"]] == [4, 5, 6]
    last = batch_app.test_client().get(second["next_url"], headers=bearer).get_json()
    assert [row["line"] for row in last["rows"]] == [7]
    assert last["next_page"] is None and last["next_url"] is None


def test_the_default_page_is_500_rows(
    batch_app: Any,
    bearer: dict[str, str],
    created: dict[str, Any],
) -> None:
    view = page(batch_app, bearer, created["status_url"]).get_json()
    assert (view["page"], view["per_page"], view["pages"]) == (1, batches.DEFAULT_PER_PAGE, 1)
    assert len(view["rows"]) == 7 and view["next_url"] is None


def test_a_page_past_the_last_has_no_rows(
    batch_app: Any,
    bearer: dict[str, str],
    created: dict[str, Any],
) -> None:
    response = page(batch_app, bearer, created["status_url"], page=4, per_page=3)
    assert response.status_code == 200
    assert response.get_json()["rows"] == [] and response.get_json()["next_page"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": batches.MAX_PER_PAGE + 1}, "per_page"),
        ({"per_page": "all"}, "per_page"),
    ],
)
def test_bad_paging_is_refused_with_the_field_named(
    batch_app: Any,
    bearer: dict[str, str],
    created: dict[str, Any],
    query: dict[str, Any],
    field: str,
) -> None:
    response = page(batch_app, bearer, created["status_url"], **query)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_an_unknown_batch_is_404_whatever_the_page(
    batch_app: Any,
    bearer: dict[str, str],
) -> None:
    assert page(batch_app, bearer, f"/api/v1/batches/{'0' * 32}", page=2).status_code == 404


def set_status(runtime: Any, ids: list[str], status: str) -> None:
    with runtime.db.session() as session:
        session.execute(update(Verification).where(Verification.id.in_(ids)).values(status=status))


def test_counts_cover_the_whole_batch_on_every_page(
    batch_app: Any,
    bearer: dict[str, str],
    created: dict[str, Any],
) -> None:
    runtime = batch_app.extensions["verifier"]
    ids = batch_ids(runtime, created["id"])
    set_status(runtime, ids[:2], "completed")
    set_status(runtime, ids[2:3], "failed")
    views = [
        page(batch_app, bearer, created["status_url"], page=n, per_page=3).get_json()
        for n in (1, 2, 3, 4)
    ]
    expected = {"completed": 2, "failed": 1, "queued": 2, "rejected": 2}
    for view in views:
        assert {state: n for state, n in view["counts"].items() if n} == expected
        assert view["status"] == "running"


def test_a_batch_is_completed_only_when_every_row_is_final(
    batch_app: Any,
    bearer: dict[str, str],
    created: dict[str, Any],
) -> None:
    runtime = batch_app.extensions["verifier"]
    ids = batch_ids(runtime, created["id"])
    set_status(runtime, ids[:-1], "completed")
    set_status(runtime, ids[-1:], "retry_wait")
    running = page(batch_app, bearer, created["status_url"], per_page=1).get_json()
    assert running["status"] == "running" and running["completed_at"] is None
    set_status(runtime, ids[-1:], "needs_review")
    done = page(batch_app, bearer, created["status_url"], per_page=1).get_json()
    assert done["status"] == "completed" and done["completed_at"] is not None
    again = page(batch_app, bearer, created["status_url"], page=7, per_page=1).get_json()
    assert again["completed_at"] == done["completed_at"]


def test_the_results_csv_holds_every_row_however_it_is_read(
    batch_app: Any,
    bearer: dict[str, str],
    created: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batches, "RESULTS_CHUNK", 2)  # read 2 rows at a time
    response = batch_app.test_client().get(f"{created['status_url']}/results.csv", headers=bearer)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(line["line"]) for line in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert [line["status"] for line in lines if line["errors"]] == ["rejected", "rejected"]

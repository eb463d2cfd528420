"""The outage contract: a database that is down or full answers 503 with a reason.

"Down" is a PostgreSQL URL where nothing listens (a stopped server refuses the
connection); "full" is a real SQLite database that may not grow one page more (SQLite's
own ``max_page_count`` limit: the same SQLITE_FULL a full disk gives). The API answers
503 JSON ``{"errors": ...}`` with Retry-After, a visitor reads a kind page with the
facility's phone number, staff a console page; ``/readyz`` names the part that is down.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from config.settings import Settings
from tests.conftest import free_port, migrated_database
from tests.fakes.submissions import valid_body
from tests.unit.web.conftest import csrf_of, valid_form
from verifier.staff.sessions import COOKIE
from verifier.store.models import Verification

URL = "/api/v1/verifications"


@pytest.fixture
def stopped_database_app(settings: Settings, make_app: Callable[[Settings], Any]) -> Any:
    url = f"postgresql://verifier@127.0.0.1:{free_port()}/verifier"
    return make_app(dataclasses.replace(settings, database_url=url))


@pytest.fixture
def full_database_app(
    settings: Settings, make_app: Callable[[Settings], Any], tmp_path: Path
) -> Iterator[Any]:
    """A database filled by real submits until SQLite refuses to grow (SQLITE_FULL)."""
    with migrated_database("sqlite", tmp_path) as url:
        app = make_app(dataclasses.replace(settings, database_url=url))
        engine = app.extensions["verifier"].db.engine
        with engine.connect() as connection:
            cap = connection.exec_driver_sql("PRAGMA page_count").scalar_one() + 8

        @event.listens_for(engine, "connect")
        def no_more_pages(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA max_page_count={cap}")
            cursor.close()

        engine.dispose()  # connections opened from now on have the limit
        client = app.test_client()
        for _ in range(500):
            if client.post(URL, json=valid_body()).status_code == 503:
                break
        else:
            pytest.fail("the database never filled up")
        yield app


@pytest.fixture(params=["stopped", "full"])
def outage_app(
    request: pytest.FixtureRequest, stopped_database_app: Any, full_database_app: Any
) -> Any:
    return stopped_database_app if request.param == "stopped" else full_database_app


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0


def test_a_submit_answers_503_json_with_retry_after(outage_app: Any) -> None:
    response = outage_app.test_client().post(URL, json=valid_body())
    assert_unavailable(response)
    body = response.get_json()
    assert body["errors"] == {
        "database": ["The database is unavailable; nothing was changed. Try again shortly."]
    }


def test_a_full_database_keeps_what_it_accepted_and_refuses_the_rest(
    full_database_app: Any,
) -> None:
    runtime = full_database_app.extensions["verifier"]
    with runtime.db.session() as session:
        before = session.scalars(select(Verification.id)).all()
    assert_unavailable(full_database_app.test_client().post(URL, json=valid_body()))
    with runtime.db.session() as session:
        assert session.scalars(select(Verification.id)).all() == before
        assert {row.status for row in session.scalars(select(Verification))} == {"queued"}


def test_a_status_read_answers_503_json(stopped_database_app: Any) -> None:
    response = stopped_database_app.test_client().get(
        f"{URL}/0123456789abcdef0123456789abcdef", headers={"X-Status-Token": "x" * 43}
    )
    assert_unavailable(response)
    assert "database" in response.get_json()["errors"]


def test_a_visitor_gets_a_kind_page_with_the_phone_number(outage_app: Any) -> None:
    client = outage_app.test_client()
    token = csrf_of(client.get("/verify").get_data(as_text=True))
    response = client.post("/verify", data={"csrf_token": token, **valid_form()})
    assert_unavailable(response)
    page = response.get_data(as_text=True)
    assert "We cannot check coverage right now" in page
    assert outage_app.extensions["verifier"].facility.phone in page


def test_a_spanish_visitor_reads_it_in_spanish(stopped_database_app: Any) -> None:
    client = stopped_database_app.test_client()
    token = csrf_of(client.get("/verify?lang=es").get_data(as_text=True))
    response = client.post("/verify?lang=es", data={"csrf_token": token, **valid_form()})
    assert_unavailable(response)
    assert "No podemos verificar la cobertura" in response.get_data(as_text=True)


def test_staff_get_a_console_page(stopped_database_app: Any) -> None:
    client = stopped_database_app.test_client()
    client.set_cookie(COOKIE, "x" * 43)  # a session to look up: the database is asked
    response = client.get("/console")
    assert_unavailable(response)
    assert "The database is unavailable" in response.get_data(as_text=True)


def test_readyz_names_the_part_that_is_down(stopped_database_app: Any) -> None:
    response = stopped_database_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "unavailable", "redis": "ok"}

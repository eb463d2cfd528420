"""Batches over the staff API: bad rows reported by line and field, the rest completed by a
real worker from the batch queue, progress, the results CSV, the per-route body limit.

The app and the worker use a queue prefix of their own, so no other worker takes these
jobs and this test's jobs are removed afterwards.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

from config.settings import Settings
from tests.conftest import WorkerProcess, wait_until
from tests.fakes.rows import clear_queues
from tests.fakes.submissions import body_for, valid_body
from verifier import create_app


def wait_completed(client: Any, bearer: dict[str, str], url: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        response = client.get(url, headers=bearer)
        assert response.status_code == 200, response.get_data(as_text=True)
        data: dict[str, Any] = response.get_json()
        return data if data["status"] == "completed" else None

    found: dict[str, Any] = wait_until(done, timeout=40, interval=0.3)
    return found


def test_a_batch_with_bad_rows_reports_them_and_completes_the_rest(
    batch_app: Any, bearer: dict[str, str], batch_worker: WorkerProcess
) -> None:
    bad_name = body_for("SBX-ACTIVE-3")
    del bad_name["member"]["last_name"]
    bad_date = body_for("SBX-ACTIVE-4")
    bad_date["member"]["date_of_birth"] = "1988-13-45"
    items = [
        body_for("SBX-ACTIVE-1"),
        bad_name,
        body_for("SBX-NOTFOUND-2"),
        bad_date,
        body_for("SBX-PREAUTH-5", payer_id="NOPE"),
        body_for("SBX-PREAUTH-6"),
    ]
    client = batch_app.test_client()
    response = client.post("/api/v1/batches", json={"items": items}, headers=bearer)
    assert response.status_code == 202, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["total"], created["accepted"], created["rejected"]) == (6, 3, 3)

    try:
        view = wait_completed(client, bearer, created["status_url"])
    except AssertionError:
        print(batch_worker.logs()[-4000:])
        raise
    rows = {row["line"]: row for row in view["rows"]}
    assert rows[2]["errors"] == {"member.last_name": ["Missing data for required field."]}
    assert list(rows[4]["errors"]) == ["member.date_of_birth"]
    assert rows[5]["errors"] == {"payer_id": ["Unknown insurance company."]}
    assert (rows[1]["status"], rows[3]["status"], rows[6]["status"]) == (
        "completed",
        "failed",
        "completed",
    )
    assert rows[3]["reason"] == "member_not_found"
    assert view["counts"]["completed"] == 2 and view["counts"]["rejected"] == 3

    results = client.get(f"{created['status_url']}/results.csv", headers=bearer)
    assert results.status_code == 200 and results.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(results.get_data(as_text=True))))
    assert [line["line"] for line in lines] == ["1", "2", "3", "4", "5", "6"]
    assert lines[0]["coverage"] == "active" and lines[5]["preauthorization_required"] == "True"
    assert lines[1]["status"] == "rejected" and "member.last_name" in lines[1]["errors"]
    text = results.get_data(as_text=True)
    assert "Quintavius" not in text and "SBX-ACTIVE-1" not in text  # no identifiers


CSV_TEXT = """first_name,last_name,date_of_birth,member_id,relationship,payer_id,level_of_care
Ada,Quill,1980-02-03,SBX-ACTIVE-7,self,SANDBOX,iop
Bo,Quill,02/03/1980,SBX-ACTIVE-8,self,SANDBOX,iop
Cy,Quill,1975-05-06,SBX-INACTIVE-9,self,SANDBOX,php
"""


def test_a_csv_batch_reports_the_line_and_field_of_a_bad_row(
    batch_app: Any, bearer: dict[str, str], batch_worker: WorkerProcess
) -> None:
    client = batch_app.test_client()
    response = client.post("/api/v1/batches", json={"csv": CSV_TEXT}, headers=bearer)
    assert response.status_code == 202, response.get_data(as_text=True)
    created = response.get_json()
    view = wait_completed(client, bearer, created["status_url"])
    rows = {row["line"]: row for row in view["rows"]}
    assert list(rows) == [2, 3, 4]  # the header is line 1
    assert list(rows[3]["errors"]) == ["member.date_of_birth"]
    assert rows[2]["status"] == "completed" and rows[4]["status"] == "completed"


def test_a_batch_can_be_uploaded_as_a_text_csv_file(
    batch_app: Any, bearer: dict[str, str], batch_worker: WorkerProcess
) -> None:
    client = batch_app.test_client()
    response = client.post(
        "/api/v1/batches", data=CSV_TEXT, content_type="text/csv", headers=bearer
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    view = wait_completed(client, bearer, response.get_json()["status_url"])
    assert [row["line"] for row in view["rows"]] == [2, 3, 4]


def test_batches_are_for_staff_only(batch_app: Any) -> None:
    client = batch_app.test_client()
    assert client.post("/api/v1/batches", json={"items": [valid_body()]}).status_code == 401
    assert client.get("/api/v1/batches/abc").status_code == 401


def test_a_batch_may_be_larger_than_an_intake_body_but_not_unbounded(
    batch_env: dict[str, str], bearer: dict[str, str], batch_app: Any
) -> None:
    settings = dataclasses.replace(
        Settings.from_env(batch_env), batch_max_bytes=64 * 1024, batch_max_rows=200
    )
    application = create_app(settings)
    try:
        client = application.test_client()
        items = [body_for(f"SBX-ACTIVE-{n}") for n in range(100)]  # about 30 KB
        response = client.post("/api/v1/batches", json={"items": items}, headers=bearer)
        assert response.status_code == 202, response.get_data(as_text=True)
        assert client.post("/api/v1/verifications", json={"x": "y" * 20000}).status_code == 413
        items = [body_for(f"SBX-ACTIVE-{n}") for n in range(300)]  # about 90 KB
        response = client.post("/api/v1/batches", json={"items": items}, headers=bearer)
        assert response.status_code == 413
        assert (
            client.post(
                "/api/v1/batches", json={"csv": "member_id\n" + "x\n" * 201}, headers=bearer
            ).status_code
            == 422
        )
        response = client.post("/api/v1/batches", json={"items": []}, headers=bearer)
        assert response.status_code == 422
    finally:
        runtime = application.extensions["verifier"]
        try:
            clear_queues(runtime)
        finally:
            runtime.db.dispose()

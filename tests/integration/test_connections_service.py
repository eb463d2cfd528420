"""Checks through a Stedi connection, end to end: submit over HTTP, one attempt, the row.

The payers file describes one ``[connections.stedi]`` (as a center fills it in) pointing at
the published-behaviour Stedi fake; each case asserts the state the verification ends in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.fakes.stedi import API_KEY, BASE, StediFake
from tests.fakes.submissions import valid_body
from verifier import create_app
from verifier.store.models import Verification
from verifier.verifications.check import run_check
from verifier.verifications.retry import RetryScheduled

DIRECTORY = """
[connections.stedi]
kind = "stedi"
endpoint = "{endpoint}"
credentials = {{ api_key = "VT_SVC_STEDI_KEY" }}
timeout = 2.0
options = {{ retries = 0 }}

[payers.SANDBOX]
name = "Sandbox Health Plan"
adapter = "sandbox"

[payers.{payer}]
name = "A payer through Stedi"
connection = "stedi"
trading_partner_service_id = "87726"
in_network = true
"""


@pytest.fixture
def stedi() -> Iterator[StediFake]:
    with StediFake() as fake:
        yield fake


@pytest.fixture
def app(
    settings: Settings, stedi: StediFake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    monkeypatch.setenv("VT_SVC_STEDI_KEY", API_KEY)
    payer = f"ST{uuid.uuid4().hex[:6].upper()}"
    path = tmp_path / "payers.toml"
    path.write_text(DIRECTORY.format(endpoint=stedi.endpoint, payer=payer))
    configured = dataclasses.replace(
        settings, payers_file=path, queue_prefix=f"vtst{uuid.uuid4().hex[:8]}"
    )
    application = create_app(configured)
    application.config["TESTING"] = True
    application.payer_id = payer  # type: ignore[attr-defined]
    yield application
    application.extensions["verifier"].db.dispose()


def _run(application: Any, member_id: str) -> Any:
    body = valid_body()
    body["payer_id"] = application.payer_id
    body["member"]["member_id"] = member_id
    response = application.test_client().post("/api/v1/verifications", json=body)
    assert response.status_code == 202, response.get_data(as_text=True)
    runtime = application.extensions["verifier"]
    with contextlib.suppress(RetryScheduled):
        run_check(runtime, response.get_json()["id"])
    with runtime.db.session() as session:
        row = session.get(Verification, response.get_json()["id"])
        session.expunge(row)
        return row


def test_a_stedi_answer_with_its_own_control_number_completes(
    app: Any, stedi: StediFake
) -> None:
    row = _run(app, "W123456789")
    assert row.status in ("completed", "needs_review"), row.reason_detail
    assert row.summary["coverage"]["status"] == "active"
    (call,) = stedi.calls(BASE)
    assert call.json()["tradingPartnerServiceId"] == "87726"


@pytest.mark.parametrize(
    ("member_id", "status", "reason"),
    [
        ("UHCAAA75", "failed", "member_not_found"),
        ("UHCAAA72", "failed", "invalid_input"),
        ("UHCAAA42", "retry_wait", "payer_unavailable"),
    ],
)
def test_an_aaa_in_a_400_ends_in_its_stated_state(
    app: Any, member_id: str, status: str, reason: str
) -> None:
    row = _run(app, member_id)
    assert (row.status, row.reason) == (status, reason)


def test_a_revoked_api_key_fails_with_a_reason_an_operator_can_act_on(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VT_SVC_STEDI_KEY", "revoked")
    row = _run(app, "W123456789")
    assert (row.status, row.reason) == ("failed", "payer_rejected")
    assert "credentials" in (row.reason_detail or "")

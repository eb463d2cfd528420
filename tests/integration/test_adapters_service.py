"""Each payer answer, through the real service: submit over HTTP, run_check in-process.

The payer directory points one x12_http payer and one clearinghouse payer at the fake
payer server; the queue prefix is this module's own, so no session worker takes the job.
Every case asserts the lifecycle state the verification ends in and its reason.
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
from tests.conftest import ROOT
from tests.fakes import clearinghouse_responses as ch
from tests.fakes import x12_responses as x12
from tests.fakes.payer_server import FakePayer, Reply
from tests.fakes.submissions import valid_body
from verifier import create_app
from verifier.payers import oauth
from verifier.store.models import Verification
from verifier.verifications.check import run_check
from verifier.verifications.retry import RetryScheduled

X12_PAYER = "FAKEX12"
CH_PAYER = "FAKECH"
DIRECTORY = """
[payers.SANDBOX]
name = "Sandbox Health Plan"
adapter = "sandbox"

[payers.{x12}]
name = "Fake Direct Plan"
adapter = "x12_http"
framing = "raw"
endpoint = "{url}/x12"
in_network = true
timeout = 1.0
options = {{ retries = 1, backoff_base = 0.01, breaker_threshold = 3 }}
capabilities = {{ real_time = true, multiple_service_types = true }}

[payers.{ch}]
name = "Fake Clearinghouse Plan"
adapter = "clearinghouse"
endpoint = "{url}{ch_path}"
in_network = true
timeout = 1.0
credentials = {{ client_id = "VT_SVC_CLIENT_ID", client_secret = "VT_SVC_CLIENT_SECRET" }}
options = {{ token_url = "{url}{token_path}", retries = 0 }}
"""


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        server.on(ch.TOKEN_PATH, ch.token_reply())
        yield server


@pytest.fixture
def app_for(
    settings: Settings, payer: FakePayer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    monkeypatch.setenv("VT_SVC_CLIENT_ID", "client")
    monkeypatch.setenv("VT_SVC_CLIENT_SECRET", "secret")
    oauth.forget_all()
    suffix = uuid.uuid4().hex[:6].upper()
    payers = tmp_path / "payers.toml"
    payers.write_text(
        DIRECTORY.format(
            x12=X12_PAYER + suffix,
            ch=CH_PAYER + suffix,
            url=payer.url,
            ch_path=ch.ELIGIBILITY_PATH,
            token_path=ch.TOKEN_PATH,
        )
    )
    # The default facility has Part 2 programs: a generic clearinghouse must be named
    # (the app refuses to start otherwise; verifier.part2.consent.require_named_recipients).
    facility = tmp_path / "facility.toml"
    facility.write_text(
        (ROOT / "config" / "facility.toml").read_text().replace(
            '# clearinghouse = "Your clearinghouse, Inc."',
            'clearinghouse = "Fake Clearinghouse, Inc."',
        )
    )
    made: list[Any] = []

    def build(**changes: Any) -> Any:
        configured = dataclasses.replace(
            settings,
            payers_file=payers,
            facility_file=facility,
            queue_prefix=f"vtsvc{uuid.uuid4().hex[:8]}",
            **changes,
        )
        application = create_app(configured)
        application.config["TESTING"] = True
        application.payer_suffix = suffix  # type: ignore[attr-defined]
        made.append(application)
        return application

    yield build
    for application in made:
        application.extensions["verifier"].db.dispose()


def _run(application: Any, payer_id: str, member_id: str = "W123456789") -> Any:
    """Submit through the API, run one attempt in-process, return the row."""
    body = valid_body()
    body["payer_id"] = payer_id + application.payer_suffix
    body["member"]["member_id"] = member_id
    response = application.test_client().post("/api/v1/verifications", json=body)
    assert response.status_code == 202, response.get_data(as_text=True)
    verification_id = response.get_json()["id"]
    runtime = application.extensions["verifier"]
    with contextlib.suppress(RetryScheduled):
        run_check(runtime, verification_id)
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        session.expunge(row)
        return row


def test_an_active_271_completes(app_for: Any, payer: FakePayer) -> None:
    payer.on("/x12", Reply(body=x12.answer()))
    row = _run(app_for(), X12_PAYER)
    assert row.status in ("completed", "needs_review"), row.reason_detail
    assert row.summary["coverage"]["status"] == "active"
    assert payer.count("/x12") == 1


def test_a_clearinghouse_answer_completes(app_for: Any, payer: FakePayer) -> None:
    payer.on(ch.ELIGIBILITY_PATH, Reply(body=ch.active))
    row = _run(app_for(), CH_PAYER)
    assert row.status in ("completed", "needs_review"), row.reason_detail
    assert row.summary["coverage"]["status"] == "active"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(body=x12.answer(x12.rejected("2100C", "75", "C"))), "member_not_found"),
        (Reply(body=x12.answer(x12.rejected("2100C", "72", "C"))), "invalid_input"),
        (Reply(body=x12.answer(x12.rejected("2100B", "41", "N"))), "payer_rejected"),
        (Reply(body=x12.rejected_999()), "payer_rejected"),
        (Reply(body=x12.rejected_ta1()), "payer_rejected"),
        (Reply(200, "<html>gateway</html>", content_type="text/html"), "payer_response_invalid"),
        (Reply(body=x12.truncated()), "payer_response_invalid"),
        (Reply(body=x12.answer(trace="SOMEONE-ELSE-1")), "payer_response_invalid"),
    ],
    ids=[
        "not-found",
        "fix-input",
        "configuration",
        "999",
        "ta1",
        "html",
        "truncated",
        "wrong-trace",
    ],
)
def test_a_final_answer_fails_with_its_reason(
    app_for: Any, payer: FakePayer, reply: Reply, reason: str
) -> None:
    payer.on("/x12", reply)
    row = _run(app_for(), X12_PAYER)
    assert (row.status, row.reason) == ("failed", reason)
    # Never resent as it was; a "not found" gets the member-matching ladder's one variant
    # (member id, date of birth and last name: the only one this member's details allow).
    assert payer.count("/x12") == (2 if reason == "member_not_found" else 1)


def test_the_field_to_fix_is_named(app_for: Any, payer: FakePayer) -> None:
    payer.on("/x12", Reply(body=x12.answer(x12.rejected("2100C", "72", "C"))))
    row = _run(app_for(), X12_PAYER)
    assert "member.member_id" in row.reason_detail


@pytest.mark.parametrize(
    "reply",
    [
        Reply(503),
        Reply(429, headers={"Retry-After": "60"}),
        Reply(body=x12.answer(x12.rejected("2100A", "42", "R"))),
    ],
    ids=["503", "429", "aaa-42"],
)
def test_an_unavailable_payer_waits_for_a_retry(
    app_for: Any, payer: FakePayer, reply: Reply
) -> None:
    payer.on("/x12", reply)
    row = _run(app_for(), X12_PAYER)
    assert (row.status, row.reason) == ("retry_wait", "payer_unavailable")
    assert row.next_attempt_at is not None


def test_a_timeout_waits_for_a_retry(app_for: Any, payer: FakePayer) -> None:
    payer.on("/x12", Reply(body=x12.answer(), delay=3.0))
    row = _run(app_for(), X12_PAYER)
    assert (row.status, row.reason) == ("retry_wait", "payer_unavailable")
    assert payer.count("/x12") == 2  # one retry inside the attempt


def test_unavailable_with_no_retries_left_fails(app_for: Any, payer: FakePayer) -> None:
    payer.on("/x12", Reply(503))
    row = _run(app_for(retry_intervals=()), X12_PAYER)
    assert (row.status, row.reason) == ("failed", "payer_unavailable")


def test_refused_credentials_fail_as_payer_rejected(app_for: Any, payer: FakePayer) -> None:
    payer.on(ch.ELIGIBILITY_PATH, Reply(401))
    row = _run(app_for(), CH_PAYER)
    assert (row.status, row.reason) == ("failed", "payer_rejected")


def test_an_open_circuit_waits_without_calling_the_payer(app_for: Any, payer: FakePayer) -> None:
    payer.on("/x12", Reply(503))
    application = app_for()
    _run(application, X12_PAYER)  # 2 calls (one retry): 2 failures
    _run(application, X12_PAYER)  # the 3rd failure opens the circuit
    calls = payer.count("/x12")
    row = _run(application, X12_PAYER)
    assert (row.status, row.reason) == ("retry_wait", "payer_unavailable")
    assert payer.count("/x12") == calls == 3

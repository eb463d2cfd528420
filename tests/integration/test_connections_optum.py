"""An Optum connection against a fake built from Optum's published OpenAPI documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from tests.fakes.optum import BASE, CLIENT_ID, CLIENT_SECRET, RAW, TOKEN, OptumFake
from tests.fakes.payer_kit import make_connected, make_request, make_settings, resilient
from verifier.payers import oauth
from verifier.payers.base import PayerAdapter, PayerAuthError
from verifier.payers.clearinghouse import OptumAdapter, control_number

CREDENTIALS = {"client_id": "VT_OPTUM_ID", "client_secret": "VT_OPTUM_SECRET"}


@pytest.fixture(autouse=True)
def client_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VT_OPTUM_ID", CLIENT_ID)
    monkeypatch.setenv("VT_OPTUM_SECRET", CLIENT_SECRET)
    oauth.forget_all()
    yield
    oauth.forget_all()


@pytest.fixture
def optum() -> Iterator[OptumFake]:
    with OptumFake() as fake:
        yield fake


@pytest.fixture
def connect(optum: OptumFake, redis: Redis) -> Any:
    def build(options: dict[str, Any] | None = None) -> PayerAdapter:
        entry = make_connected(
            "optum",
            {
                "endpoint": optum.endpoint,
                "credentials": CREDENTIALS,
                "options": {"retries": 1, "backoff_base": 0.01} | (options or {}),
            },
        )
        settings = make_settings()
        return resilient(OptumAdapter(entry, settings, redis=redis), entry, settings, redis)

    return build


def test_the_token_is_requested_with_a_json_body_beside_the_endpoint(
    optum: OptumFake, connect: Any
) -> None:
    connect().check(make_request())
    (token_call,) = optum.server.calls(TOKEN)
    assert token_call.header("Content-Type") == "application/json"
    assert token_call.json() == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    (call,) = optum.server.calls(BASE)
    assert (call.header("Authorization") or "").startswith("Bearer eyJ")


def test_the_echoed_control_number_and_optums_own_trace_are_accepted(
    optum: OptumFake, connect: Any
) -> None:
    request = make_request()
    outcome = connect().check(request)
    assert outcome.result.control_number == control_number(request.trace_number)
    echoed = [t.number for t in outcome.result.traces if t.trace_type == "2"]
    assert echoed and request.trace_number not in echoed
    assert outcome.result.patient is not None and outcome.result.patient.benefits


def test_refused_client_credentials_are_an_auth_error_before_any_inquiry(
    optum: OptumFake, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VT_OPTUM_SECRET", "wrong")
    with pytest.raises(PayerAuthError):
        connect().check(make_request())
    assert (optum.server.count(TOKEN), optum.server.count(BASE)) == (1, 0)


def test_a_revoked_token_is_replaced_once(optum: OptumFake, connect: Any) -> None:
    adapter = connect()
    adapter.check(make_request())
    optum.revoke_all()
    adapter.check(make_request())
    assert optum.server.count(TOKEN) == 2
    assert optum.server.count(BASE) == 3  # the refused call, then the one with a new token


def test_raw_x12_goes_through_the_json_wrapper(optum: OptumFake, connect: Any) -> None:
    outcome = connect(options={"raw_x12": True}).check(make_request())
    (call,) = optum.server.calls(RAW)
    assert list(call.json()) == ["x12"] and call.json()["x12"].startswith("ISA*")
    assert outcome.result.patient is not None and outcome.result.patient.benefits


def test_an_optum_answer_summarizes_for_iop_end_to_end(optum: OptumFake, connect: Any) -> None:
    """HTTP to the IOP summary: Optum's v3 answer (our control number echoed, its own trace)
    reads as the same facts a 271 gives."""
    from verifier.coverage import default_profile, summarize
    from verifier.domain import Condition, LevelOfCare

    result = connect().check(make_request()).result
    data = summarize(result, level=LevelOfCare.IOP, condition=Condition.MENTAL_HEALTH,
                     facility=default_profile(), in_network=True).to_dict()
    # The fake's benefitsInformation: EB1 on 30/MH/A8, B $30 per visit and A 20 % on MH/A8 in
    # network, C 1500 / 400 remaining on 30, F 30 visits a year on A8; planBegin/planEnd.
    assert data["coverage"] == {"status": "active", "plan_name": "FAKE PPO GOLD",
                                "group_number": "GRP-77", "plan_begin": "2026-01-01",
                                "plan_end": "2026-12-31"}
    in_network = data["benefits"]["in_network"]
    assert in_network["copay"] == {"amount": "30.00", "per": "visit"}
    assert in_network["coinsurance"] == "0.20"
    assert in_network["deductible"]["individual"] == {"total": "1500.00", "remaining": "400.00"}
    assert data["visit_limit"]["allowed"] == 30

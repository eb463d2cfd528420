"""A CAQH CORE SOAP connection (Office Ally style) against a fake built from the CORE WSDL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from tests.fakes import core_soap
from tests.fakes.payer_kit import make_connected, make_request, make_settings, resilient
from tests.fakes.payer_server import FakePayer, Reply
from verifier.payers.base import PayerAdapter, PayerAuthError, PayerRejected
from verifier.payers.x12_http import X12HttpAdapter

CREDENTIALS = {"username": "VT_OA_USER", "password": "VT_OA_PASSWORD"}


@pytest.fixture(autouse=True)
def soap_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VT_OA_USER", core_soap.USERNAME)
    monkeypatch.setenv("VT_OA_PASSWORD", core_soap.PASSWORD)


@pytest.fixture
def office_ally() -> Iterator[FakePayer]:
    with core_soap.serve() as server:
        yield server


@pytest.fixture
def connect(office_ally: FakePayer, redis: Redis) -> Any:
    def build() -> PayerAdapter:
        entry = make_connected(
            "core_soap",
            {
                "endpoint": office_ally.url + core_soap.PATH,
                "credentials": CREDENTIALS,
                "options": {"retries": 1, "backoff_base": 0.01},
            },
        )
        assert (entry.adapter, entry.framing) == ("x12_http", "core_soap")
        settings = make_settings()
        return resilient(X12HttpAdapter(entry, settings, redis), entry, settings, redis)

    return build


def test_a_271_sent_as_escaped_cdata_text_is_read(connect: Any) -> None:
    outcome = connect().check(make_request())
    assert outcome.result.patient is not None and outcome.result.patient.benefits
    assert outcome.result.patient.benefits[0].plan_description == "FAKE PPO"


def test_an_authentication_fault_with_401_is_an_auth_error_not_a_rejection(
    office_ally: FakePayer, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VT_OA_PASSWORD", "wrong")
    with pytest.raises(PayerAuthError):
        connect().check(make_request())
    assert office_ally.count() == 1


def test_a_sender_fault_with_400_is_a_rejection_without_retry(
    office_ally: FakePayer, connect: Any
) -> None:
    office_ally.on(
        core_soap.PATH,
        Reply(
            400,
            core_soap.fault("Sender", "cor:InvalidEnvelope", "bad envelope"),
            content_type="application/soap+xml",
        ),
    )
    with pytest.raises(PayerRejected):
        connect().check(make_request())
    assert office_ally.count() == 1


def test_a_real_cdata_section_is_read_as_well(office_ally: FakePayer, connect: Any) -> None:
    def real_cdata(captured: Any) -> Reply:
        reply = core_soap.core_endpoint()(captured)
        text = reply.body if isinstance(reply.body, str) else ""
        text = text.replace("&lt;![CDATA[", "<![CDATA[").replace("]]&gt;", "]]>")
        return Reply(200, text, content_type="application/soap+xml")

    office_ally.on(core_soap.PATH, Reply(body=real_cdata))
    outcome = connect().check(make_request())
    assert outcome.result.patient is not None and outcome.result.patient.benefits


def test_a_core_soap_answer_summarizes_for_iop_end_to_end(connect: Any) -> None:
    """HTTP (SOAP 1.2, CORE vC2.2.0 envelope, the 271 as escaped CDATA text) to the IOP
    summary."""
    from verifier.coverage import default_profile, summarize
    from verifier.domain import Condition, LevelOfCare

    result = connect().check(make_request()).result
    data = summarize(result, level=LevelOfCare.IOP, condition=Condition.MENTAL_HEALTH,
                     facility=default_profile(), in_network=True).to_dict()
    # tests/fakes/x12_responses.BENEFITS: EB1 FAKE PPO, B $30 per visit and A 20 % on MH/A8.
    assert (data["coverage"]["status"], data["coverage"]["plan_name"]) == ("active", "FAKE PPO")
    in_network = data["benefits"]["in_network"]
    assert in_network["copay"] == {"amount": "30.00", "per": "visit"}
    assert in_network["coinsurance"] == "0.20"
    assert in_network["deductible"]["individual"] == {"total": None, "remaining": None}

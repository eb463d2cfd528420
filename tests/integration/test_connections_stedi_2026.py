"""A Stedi connection on the redesigned endpoint (``options.api = "2026-06-01"``).

Real HTTP to the fake (``tests.fakes.stedi``), which serves ``POST /2026-06-01/eligibility-check``
as Stedi's API reference and SDK describe it: plans-shaped answers, Stedi's own ``id`` and
traces (no ``controlNumber``), a payer's AAA in ``errors[]`` of a 200, and a 400
``{"message"}`` for a request refused before the payer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from redis import Redis

from tests.fakes.payer_kit import make_connected, make_request, make_settings, resilient
from tests.fakes.stedi import API_KEY, BASE, PLANS, StediFake
from verifier.coverage import default_profile, summarize
from verifier.domain import Condition, LevelOfCare, Person, Provider, RetryClass
from verifier.payers.base import PayerAdapter, PayerAuthError, PayerRejected
from verifier.payers.clearinghouse import StediAdapter
from verifier.payers.connections import parse_connections

KEY_VARIABLE = "VT_STEDI_API_KEY"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VARIABLE, API_KEY)


@pytest.fixture
def stedi() -> Iterator[StediFake]:
    with StediFake() as fake:
        yield fake


@pytest.fixture
def connect(stedi: StediFake, redis: Redis) -> Any:
    def build(options: dict[str, Any] | None = None, **values: Any) -> PayerAdapter:
        entry = make_connected(
            "stedi",
            {
                "endpoint": stedi.plans_endpoint,
                "credentials": {"api_key": KEY_VARIABLE},
                "options": {"api": "2026-06-01", "retries": 1, "backoff_base": 0.01}
                | (options or {}),
            },
            **values,
        )
        settings = make_settings()
        return resilient(StediAdapter(entry, settings, redis=redis), entry, settings, redis)

    return build


def humana_request() -> Any:
    """The SDK's published request: Humana 61101, Jane Doe, STC 30."""
    return make_request(
        payer_id="61101",
        provider=Provider(npi="1999999984", organization_name="Provider Name"),
        subscriber=Person("Jane", "Doe", dt.date(1975, 5, 5), member_id="HUMANA123"),
        service_types=("30",),
        group_number=None,
    )


def iop(result: Any) -> dict[str, Any]:
    summary: dict[str, Any] = summarize(
        result,
        level=LevelOfCare.IOP,
        condition=Condition.MENTAL_HEALTH,
        facility=default_profile(),
        in_network=True,
    ).to_dict()
    return summary


def test_the_redesigned_endpoint_gets_the_published_request_shape(
    stedi: StediFake, connect: Any
) -> None:
    connect(payer_id="61101").check(humana_request())
    (call,) = stedi.calls(PLANS)
    assert call.header("Authorization") == API_KEY
    body = call.json()
    assert body["payerId"] == "61101"
    assert body["subscriber"]["name"] == {"person": {"firstName": "Jane", "lastName": "Doe"}}
    assert body["encounter"]["services"] == [{"value": "30", "system": "STC"}]
    assert "controlNumber" not in body and "tradingPartnerServiceId" not in body
    assert stedi.server.count(BASE) == 0


def test_the_published_example_through_http_maps_to_its_facts(connect: Any) -> None:
    result = connect().check(humana_request()).result
    patient = result.subscriber
    assert patient is not None and patient.member_id == "HUMANA123"
    active = patient.benefits[0]
    assert (active.info, active.coverage_level, active.in_plan_network) == ("1", "EMP", "W")
    (oop,) = [b for b in patient.benefits if b.info == "G"]
    assert (oop.amount, oop.time_period, oop.in_plan_network) == (Decimal("8000"), "23", "Y")


def test_the_published_example_gives_an_iop_summary_end_to_end(connect: Any) -> None:
    summary = iop(connect().check(humana_request()).result)
    assert summary["coverage"]["status"] == "active"
    assert summary["coverage"]["plan_name"] == "Humana Gold Plan"
    assert summary["coverage"]["group_number"] == "11223344"
    assert summary["coverage"]["plan_begin"] == "2024-01-01"
    inn = summary["benefits"]["in_network"]
    # EB*G*IND*30*PR**23*8000*****Y; the example's plans carry no MH/IOP cost sharing
    assert inn["out_of_pocket"]["individual"]["total"] == "8000.00"
    assert summary["errors"] == []


def test_an_iop_summary_from_a_built_answer(connect: Any) -> None:
    summary = iop(connect().check(make_request()).result)
    assert summary["coverage"]["status"] == "active"
    assert summary["coverage"]["plan_name"] == "FAKE PPO GOLD"
    assert summary["coverage"]["group_number"] == "GRP-77"
    assert (summary["coverage"]["plan_begin"], summary["coverage"]["plan_end"]) == (
        "2026-01-01",
        "2026-12-31",
    )
    inn = summary["benefits"]["in_network"]
    assert inn["deductible"]["individual"] == {"total": "1500.00", "remaining": "400.00"}
    # coPayment MH/A8 30 VISIT IN_NETWORK, coInsurance 0.2: the IOP row reads them as X12
    assert inn["covered"] is True
    assert inn["copay"] == {"amount": "30.00", "per": "visit"}
    assert inn["coinsurance"] == "0.20"
    # no outOfPocket array in this answer: not reported, not zero
    assert inn["out_of_pocket"]["individual"] == {"total": None, "remaining": None}


def test_undocumented_values_through_http_are_not_reported(connect: Any) -> None:
    member = Person("A", "B", dt.date(1990, 1, 1), member_id="NEWVALUES")
    patient = connect().check(make_request(subscriber=member)).result.subscriber
    assert patient is not None
    # ACTIVE_SOMEDAY and wellnessCredits are not in the schema: no benefit at all
    assert [b.info for b in patient.benefits] == ["1", "B"]
    copay = patient.benefits[1]
    assert copay.amount == Decimal("45")
    assert (copay.coverage_level, copay.in_plan_network, copay.time_period) == (None, None, None)


def test_a_payer_aaa_in_a_200_is_classified(stedi: StediFake, connect: Any) -> None:
    member = Person("A", "B", dt.date(1990, 1, 1), member_id="UHCAAA75")
    with pytest.raises(PayerRejected) as caught:
        connect().check(make_request(subscriber=member))
    assert caught.value.codes == ("75",)
    assert caught.value.errors[0].retry_class is RetryClass.NOT_FOUND
    assert stedi.server.count(PLANS) == 1


def test_a_request_refused_before_the_payer_is_a_rejection(stedi: StediFake, connect: Any) -> None:
    with pytest.raises(PayerRejected) as caught:
        connect(payer_id="NOTAPAYER").check(make_request())
    assert "NOTAPAYER is not configured" in caught.value.errors[0].reject_description
    assert stedi.server.count(PLANS) == 1


def test_a_wrong_key_is_an_auth_error(
    stedi: StediFake, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, "not-the-key")
    with pytest.raises(PayerAuthError):
        connect().check(make_request())


def test_the_option_picks_the_redesigned_default_url_and_legacy_stays_default() -> None:
    connections = parse_connections(
        {
            "new": {"kind": "stedi", "options": {"api": "2026-06-01"}},
            "old": {"kind": "stedi"},
        }
    )
    assert connections["new"].endpoint == (
        "https://healthcare.us.stedi.com/2026-06-01/eligibility-check"
    )
    assert connections["old"].endpoint is not None
    assert connections["old"].endpoint.endswith("/change/medicalnetwork/eligibility/v3")


def test_an_unknown_api_version_is_refused(connect: Any) -> None:
    with pytest.raises(PayerAuthError):
        connect(options={"api": "2099-01-01"})

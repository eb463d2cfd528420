"""The fhir adapter reads HL7's published CoverageEligibilityResponse examples and fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from redis import Redis

from tests.fakes import fhir_responses as fhir
from tests.fakes.payer_kit import make_connected, make_request, make_settings, resilient
from tests.fakes.payer_server import FakePayer, Reply, json_reply
from verifier.domain import RetryClass
from verifier.payers.base import PayerRejected
from verifier.payers.fhir import FhirAdapter


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        yield server


@pytest.fixture
def adapter(payer: FakePayer, redis: Redis) -> Any:
    entry = make_connected("fhir", {"endpoint": payer.url + "/fhir"})
    settings = make_settings()
    return resilient(FhirAdapter(entry, settings), entry, settings, redis)


def test_the_hl7_benefits_example_is_active_with_its_percent_and_no_foreign_amounts(
    payer: FakePayer, adapter: Any
) -> None:
    payer.on(fhir.PATH, fhir.published("coverageeligibilityresponse-example-benefits.json"))
    patient = adapter.check(make_request()).result.patient
    assert patient is not None
    assert patient.benefits[0].info == "1"  # insurance.inforce true
    # item 30: benefit 500000 SAR, copay-maximum 100 SAR, copay-percent 20
    health = [b for b in patient.benefits if b.service_types == ("30",) and b.info != "1"]
    assert [(b.info, b.percent) for b in health if b.info == "A"] == [("A", Decimal("0.2"))]
    assert not [b for b in health if b.amount is not None]  # riyals are not dollars
    notes = [m for b in health for m in b.messages]
    assert "benefit: 500000 SAR" in notes and "copay-maximum: 100 SAR" in notes
    assert health[-1].messages == tuple(notes)  # once, after the item's last benefit


def test_the_hl7_error_example_is_a_fhir_error_not_an_aaa_code(
    payer: FakePayer, adapter: Any
) -> None:
    payer.on(fhir.PATH, fhir.published("coverageeligibilityresponse-example-error.json"))
    with pytest.raises(PayerRejected) as caught:
        adapter.check(make_request())
    (error,) = caught.value.errors
    assert (error.loop, error.reject_code) == ("FHIR", "FHIR-a001")
    assert error.reject_description == "Missing Identifier"
    assert error.retry_class is RetryClass.FIX_INPUT
    assert payer.count() == 1


def test_plan_dates_name_and_group_come_from_the_period_and_contained_coverage(
    payer: FakePayer, adapter: Any
) -> None:
    def answer(captured: Any) -> Reply:
        resource = fhir.response_for(captured)
        resource["contained"] = [
            {
                "resourceType": "Coverage",
                "id": "cov1",
                "status": "active",
                "beneficiary": {"reference": "Patient/p1"},
                "payor": [{"display": "FAKE HEALTH PLAN"}],
                "class": [
                    {"type": {"coding": [{"code": "plan"}]}, "value": "PPO-9", "name": "Gold PPO"},
                    {"type": {"coding": [{"code": "group"}]}, "value": "GRP-77", "name": "ACME"},
                ],
            }
        ]
        resource["insurance"][0]["coverage"] = {"reference": "#cov1"}
        resource["insurance"][0]["benefitPeriod"] = {"start": "2026-01-01", "end": "2026-12-31"}
        return json_reply(resource)

    payer.on(fhir.PATH, Reply(body=answer))
    patient = adapter.check(make_request()).result.patient
    assert patient is not None
    assert [(r.qualifier, r.value) for r in patient.references] == [
        ("18", "PPO-9"),
        ("6P", "GRP-77"),
    ]
    assert patient.benefits[0].plan_description == "Gold PPO"
    (plan,) = patient.dates
    assert (plan.qualifier, plan.start, plan.end) == (
        "291",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    )


def test_an_item_description_is_one_note_after_its_last_benefit(
    payer: FakePayer, adapter: Any
) -> None:
    payer.on(fhir.PATH, Reply(body=fhir.active))
    patient = adapter.check(make_request()).result.patient
    assert patient is not None
    mh_in = [b for b in patient.benefits if b.in_plan_network == "Y"]
    assert [b.messages for b in mh_in[:-1]] == [()] * (len(mh_in) - 1)
    assert mh_in[-1].messages == ("PRECERTIFICATION REQUIRED",)


def test_the_hl7_benefits_example_summarizes_for_iop_as_active_with_nothing_guessed(
    payer: FakePayer, adapter: Any
) -> None:
    """End to end, HTTP to the IOP summary a coordinator and a visitor read. The example is
    a Saudi plan (amounts in riyals) whose only cost share is a 20 % copay on category 30,
    the plan as a whole: IOP's cost share is read from its own codes only (DESIGN §7), so
    it is "not reported", and no riyal amount becomes a dollar figure."""
    from verifier.coverage import default_profile, summarize
    from verifier.coverage.words import staff_lines
    from verifier.domain import Condition, LevelOfCare

    payer.on(fhir.PATH, fhir.published("coverageeligibilityresponse-example-benefits.json"))
    result = adapter.check(make_request()).result
    summary = summarize(result, level=LevelOfCare.IOP, condition=Condition.MENTAL_HEALTH,
                        facility=default_profile(), in_network=True)
    data = summary.to_dict()
    assert data["coverage"]["status"] == "active"
    in_network = data["benefits"]["in_network"]
    assert in_network["copay"] == {"amount": None, "per": None}
    assert in_network["coinsurance"] is None
    assert in_network["deductible"]["individual"] == {"total": None, "remaining": None}
    assert data["visit_limit"]["allowed"] is None
    assert data["preauthorization"]["required"] is None
    assert "500000" not in repr(data["benefits"]) and "500000.00" not in repr(data["estimate"])
    assert "benefit: 500000 SAR" in data["messages"]  # kept as evidence for staff
    assert staff_lines(data)  # the staff summary reads it without error

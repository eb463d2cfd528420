"""The redesigned Stedi response (plans) read into X12-shaped benefits, as pure functions.

The input is the published example of ``CreateEligibilityCheck`` (Stedi's Python SDK),
whose ``x12`` holds the 271 it was made from: each expectation names that EB segment.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.payer_kit import make_request
from verifier.domain import Person, Provider
from verifier.payers.clearinghouse_mapping import MappingError
from verifier.payers.stedi_plans import plan_benefits, request_body, to_result

EXAMPLES = (
    Path(__file__).resolve().parents[2]
    / "fixtures/published/clearinghouse/stedi-2026-06-01-examples.json"
)


def example(title: str) -> dict[str, Any]:
    (found,) = [e for e in json.loads(EXAMPLES.read_text()) if e["title"] == title]
    return dict(found)


def humana_request() -> Any:
    return make_request(
        payer_id="61101",
        provider=Provider(npi="1999999984", organization_name="Provider Name"),
        subscriber=Person("Jane", "Doe", dt.date(1975, 5, 5), member_id="HUMANA123"),
        service_types=("30",),
        group_number=None,
    )


def test_the_request_has_the_published_shape() -> None:
    body = request_body(humana_request(), "61101")
    published = example("Eligibility check")["input"]
    assert {k: v for k, v in body.items() if k != "encounter"} == {
        k: v for k, v in published.items() if k != "encounter"
    }
    assert body["encounter"]["services"] == published["encounter"]["services"]
    assert body["encounter"]["dates"] == {"service": {"start": "2026-03-02"}}


def test_the_published_example_maps_to_the_271_it_came_from() -> None:
    result = to_result(example("Eligibility check")["output"], humana_request())
    patient = result.subscriber
    assert patient is not None and result.dependent is None
    assert (patient.member_id, patient.last_name, patient.middle_name) == ("HUMANA123", "DOE", "L")
    assert patient.date_of_birth == dt.date(1975, 5, 5) and patient.gender == "F"
    # DTP*346*D8*20240101: a plan begin date only; REF*6P*11223344*HUMANA INSURANCE COMPANY
    assert [(d.qualifier, d.start, d.end) for d in patient.dates] == [
        ("346", dt.date(2024, 1, 1), None),
        ("472", dt.date(2024, 9, 17), None),
    ]
    assert [(r.qualifier, r.value) for r in patient.references] == [("6P", "11223344")]
    assert result.payer.name == "HUMANA" and result.payer.identifier == "61101"
    assert result.control_number is None
    (trace,) = patient.traces
    assert (trace.trace_type, trace.number) == ("1", "000011112222333")  # TRN*1

    by_info = {b.info: b for b in patient.benefits}
    # EB*1*EMP*30*PR*Humana Gold Plan*******W
    active = by_info["1"]
    assert (active.coverage_level, active.service_types, active.in_plan_network) == (
        "EMP",
        ("30",),
        "W",
    )
    assert active.plan_description == "Humana Gold Plan"
    assert "Medicare PPO" in active.messages
    # EB*B*IND*49*PR**36*2000*****Y and EB*B*IND*86*PR**26*100*****Y
    copays = [
        (b.service_types, b.time_period, b.amount, b.in_plan_network)
        for b in patient.benefits
        if b.info == "B"
    ]
    assert copays == [
        (("49",), "36", Decimal("2000"), "Y"),
        (("86",), "26", Decimal("100"), "Y"),
    ]
    # EB*A*IND*49*PR**36**0****Y: a percent of 0, not an absent one
    assert by_info["A"].percent == Decimal("0") and by_info["A"].time_period == "36"
    # EB*C*IND*49*PR***0*****Y: no time period sent
    assert by_info["C"].amount == Decimal("0") and by_info["C"].time_period is None
    # EB*G*IND*30*PR**23*8000*****Y
    oop = by_info["G"]
    assert (oop.coverage_level, oop.time_period, oop.amount, oop.in_plan_network) == (
        "IND",
        "23",
        Decimal("8000"),
        "Y",
    )
    # EB*F**30******YY*26**W (no EB02: the schema's default INDIVIDUAL)
    limit = by_info["F"]
    assert (limit.quantity_qualifier, limit.quantity, limit.in_plan_network) == (
        "YY",
        Decimal("26"),
        "W",
    )
    assert by_info["I"].service_types == ("35",)  # EB*I*IND*35
    assert {"P", "W", "L"} <= set(by_info)  # disclaimer, other source, primary care provider


def test_undocumented_values_are_not_reported() -> None:
    plans = [
        {
            "benefits": {
                "statuses": [{"status": "ACTIVE_SOMEDAY", "coverageLevel": "INDIVIDUAL"}],
                "coPayment": [
                    {
                        "coverageLevel": "HOUSEHOLD",
                        "amount": "45",
                        "network": {"indicator": "PREFERRED_NETWORK"},
                        "service": {"value": "99213-99215", "system": "CPT-RANGE"},
                        "timePeriod": "FORTNIGHT",
                        "quantity": {"value": "3", "qualifier": "PER_MOON"},
                    }
                ],
                "wellnessCredits": [{"coverageLevel": "INDIVIDUAL", "amount": "100"}],
            }
        }
    ]
    (copay,) = plan_benefits(plans)  # the unknown status and the unknown array: nothing
    assert copay.info == "B" and copay.amount == Decimal("45")
    assert copay.coverage_level is None
    assert copay.in_plan_network is None
    assert copay.time_period is None
    assert copay.quantity_qualifier is None and copay.quantity == Decimal("3")
    assert copay.service_types == () and copay.procedure is None


def test_a_procedure_code_is_eb13_not_an_stc() -> None:
    plans = [
        {
            "benefits": {
                "coPayment": [
                    {
                        "coverageLevel": "INDIVIDUAL",
                        "amount": "20",
                        "service": {"value": "90837", "system": "CPT"},
                    }
                ]
            }
        }
    ]
    (copay,) = plan_benefits(plans)
    assert copay.service_types == ()
    assert copay.procedure is not None
    assert (copay.procedure.qualifier, copay.procedure.code) == ("HC", "90837")


def test_a_payer_aaa_is_read_with_its_loop() -> None:
    data = {
        "payer": {"type": "PAYER", "name": {"organization": "X"}},
        "subscriber": {"memberId": "M1"},
        "errors": [
            {
                "code": "75",
                "description": "Subscriber/Insured Not Found",
                "followupAction": "Please Correct and Resubmit",
                "location": "SUBSCRIBER",
            }
        ],
    }
    result = to_result(data, make_request())
    assert result.subscriber is not None
    (error,) = result.subscriber.errors
    assert (error.loop, error.reject_code, error.follow_up) == ("2100C", "75", "C")


@pytest.mark.parametrize(
    "data",
    [
        {"plans": {"not": "a list"}, "subscriber": {}},
        {"subscriber": {"dateOfBirth": "05/05/1975"}},
        {"plans": [{"benefits": {"coPayment": [{"amount": "twenty"}]}}], "subscriber": {}},
    ],
)
def test_a_value_of_the_wrong_type_is_an_invalid_response(data: dict[str, Any]) -> None:
    with pytest.raises(MappingError):
        to_result(data, make_request())

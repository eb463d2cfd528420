"""JSON answers for the legacy ``clearinghouse`` adapter, built for the captured request.

That adapter is the generic JSON v3 client behind an OAuth2 client-credentials token
requested as a form (RFC 6749 §4.4.2), for a clearinghouse that echoes our control number.
No vendor documents exactly this combination: the Stedi and Optum connections have fakes
of their own built from their references (``tests.fakes.stedi``, ``tests.fakes.optum``).
The benefit rows (``ACTIVE_BENEFITS``) use the field names of the published v3 schema
(``tests/fixtures/published/clearinghouse/stedi-v3-schema-extract.json``).
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.payer_server import Captured, Reply, json_reply

TOKEN_PATH = "/oauth/token"
ELIGIBILITY_PATH = "/eligibility/v3"


def token_reply(value: str = "tok-1", expires_in: int = 3600) -> Reply:
    return json_reply({"access_token": value, "token_type": "bearer", "expires_in": expires_in})


def _echo(request: dict[str, Any]) -> dict[str, Any]:
    subscriber = request["subscriber"]
    return {
        "controlNumber": request["controlNumber"],
        "tradingPartnerServiceId": request["tradingPartnerServiceId"],
        "payer": {"name": "FAKE HEALTH PLAN", "payorIdentification": "FAKE1"},
        "provider": {
            "providerName": request["provider"]["organizationName"],
            "npi": request["provider"]["npi"],
        },
        "subscriber": {
            "memberId": subscriber["memberId"],
            "firstName": subscriber["firstName"],
            "lastName": subscriber["lastName"],
            "dateOfBirth": subscriber["dateOfBirth"],
        },
    }


ACTIVE_BENEFITS: list[dict[str, Any]] = [
    {
        "code": "1",
        "name": "Active Coverage",
        "coverageLevelCode": "IND",
        "serviceTypeCodes": ["30", "MH", "A8"],
        "insuranceTypeCode": "PR",
        "planCoverage": "FAKE PPO GOLD",
    },
    {
        "code": "B",
        "coverageLevelCode": "IND",
        "serviceTypeCodes": ["MH", "A8"],
        "timeQualifierCode": "27",
        "benefitAmount": "30",
        "inPlanNetworkIndicatorCode": "Y",
        "authOrCertIndicator": "Y",
        "additionalInformation": [{"description": "PRECERTIFICATION REQUIRED"}],
    },
    {
        "code": "A",
        "coverageLevelCode": "IND",
        "serviceTypeCodes": ["MH", "A8"],
        "benefitPercent": "0.2",
        "inPlanNetworkIndicatorCode": "Y",
    },
    {
        "code": "C",
        "coverageLevelCode": "IND",
        "serviceTypeCodes": ["30"],
        "timeQualifierCode": "23",
        "benefitAmount": "1500",
        "inPlanNetworkIndicatorCode": "Y",
    },
    {
        "code": "C",
        "coverageLevelCode": "IND",
        "serviceTypeCodes": ["30"],
        "timeQualifierCode": "29",
        "benefitAmount": "400",
        "inPlanNetworkIndicatorCode": "Y",
    },
    {
        "code": "F",
        "coverageLevelCode": "IND",
        "serviceTypeCodes": ["A8"],
        "timeQualifierCode": "23",
        "quantityQualifierCode": "VS",
        "benefitQuantity": "30",
        "inPlanNetworkIndicatorCode": "W",
    },
]


def active(captured: Captured) -> Reply:
    body = _echo(captured.json())
    body["planDateInformation"] = {"planBegin": "20260101", "planEnd": "20261231"}
    body["planInformation"] = {"groupNumber": "GRP-77", "groupDescription": "FAKE GROUP"}
    body["benefitsInformation"] = ACTIVE_BENEFITS
    return json_reply(body)


def aaa(code: str, follow_up: str, location: str, *, with_benefits: bool = False) -> Any:
    """An answer carrying one AAA (as the clearinghouses put it in ``errors``)."""

    def answer(captured: Captured) -> Reply:
        body = _echo(captured.json())
        body["errors"] = [
            {
                "field": "AAA",
                "code": code,
                "description": "x",
                "followupAction": follow_up,
                "location": location,
            }
        ]
        if with_benefits:
            body["benefitsInformation"] = ACTIVE_BENEFITS
        return json_reply(body)

    return answer


def changed(base: Any, **top: Any) -> Any:
    """``base`` with top-level fields replaced (e.g. another controlNumber)."""

    def answer(captured: Captured) -> Reply:
        reply = base(captured)
        data = json.loads(reply.body)
        data.update(top)
        return json_reply(data)

    return answer

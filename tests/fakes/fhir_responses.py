"""FHIR R4 CoverageEligibilityResponses (and OperationOutcomes) for the captured request.

Built from HL7's published material: the CoverageEligibilityResponse resource page
(https://hl7.org/fhir/R4/coverageeligibilityresponse.html: ``insurance.benefitPeriod``,
``insurance.item.benefit``, ``error.code`` from the adjudication-error code system) and its
examples E2501 (benefits) and E2503 (error), served verbatim by ``published``
(``tests/fixtures/published/fhir``, from GitHub ``HL7/fhir``,
``source/coverageeligibilityresponse``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fakes.payer_server import Captured, Reply, json_reply

PATH = "/fhir/CoverageEligibilityRequest/$submit"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "published" / "fhir"


def published(name: str, status: int = 200) -> Reply:
    """An HL7 example response, verbatim (``coverageeligibilityresponse-example-*.json``)."""
    return json_reply(json.loads((FIXTURES / name).read_text()), status)


STC = "https://x12.org/codes/service-type-codes"


def _concept(code: str, system: str | None = None) -> dict[str, Any]:
    coding = {"code": code} | ({"system": system} if system else {})
    return {"coding": [coding]}


def _money(value: str) -> dict[str, Any]:
    return {"value": value, "currency": "USD"}


ITEMS: list[dict[str, Any]] = [
    {
        "category": _concept("MH", STC),
        "network": _concept("in"),
        "unit": _concept("individual"),
        "term": _concept("annual"),
        "authorizationRequired": True,
        "description": "PRECERTIFICATION REQUIRED",
        "benefit": [
            {
                "type": _concept("deductible"),
                "allowedMoney": _money("1500.00"),
                "usedMoney": _money("1100.00"),
            },
            {"type": _concept("copay"), "allowedMoney": _money("30.00")},
            {"type": _concept("copay-percent"), "allowedUnsignedInt": 20},
            {"type": _concept("visit"), "allowedUnsignedInt": 30, "usedUnsignedInt": 12},
        ],
    },
    {
        "category": _concept("MH", STC),
        "network": _concept("out"),
        "unit": _concept("individual"),
        "benefit": [{"type": _concept("deductible"), "usedMoney": _money("200.00")}],
    },
]


def response_for(captured: Captured, **changes: Any) -> dict[str, Any]:
    sent = captured.json()
    trace = sent["identifier"][0]
    resource = {
        "resourceType": "CoverageEligibilityResponse",
        "status": "active",
        "purpose": ["benefits"],
        "patient": {"display": "patient"},
        "created": "2026-03-02",
        "request": {"identifier": trace},
        "outcome": "complete",
        "insurer": {"display": "FAKE HEALTH PLAN"},
        "insurance": [{"coverage": {"display": "FAKE PPO"}, "inforce": True, "item": ITEMS}],
    }
    return resource | changes


def active(captured: Captured) -> Reply:
    return json_reply(response_for(captured))


def bundled(captured: Captured) -> Reply:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": response_for(captured)}],
    }
    return json_reply(bundle)


def changed(**changes: Any) -> Any:
    def answer(captured: Captured) -> Reply:
        return json_reply(response_for(captured, **changes))

    return answer


def outcome(code: str, status: int = 200, details: dict[str, Any] | None = None) -> Reply:
    issue: dict[str, Any] = {"severity": "error", "code": code}
    if details:
        issue["details"] = details
    return json_reply({"resourceType": "OperationOutcome", "issue": [issue]}, status)

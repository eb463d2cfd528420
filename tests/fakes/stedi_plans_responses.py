"""Plans for the fake's redesigned Stedi answers (``POST /2026-06-01/eligibility-check``).

Field names and values are those of ``EligibilityCheckBenefits`` in Stedi's Python SDK
(PyPI ``stedi`` 1.0.0, ``stedi/models.py``), the same shape as the published example in
``tests/fixtures/published/clearinghouse/stedi-2026-06-01-examples.json``: the benefits of
``tests.fakes.clearinghouse_responses.ACTIVE_BENEFITS`` (MH/A8 copay 30 a visit, 20 %
coinsurance, deductible 1500 / 400 remaining, 30 visits a year) in the redesigned shape.
"""

from __future__ import annotations

from typing import Any


def _service(code: str, definition: str) -> dict[str, str]:
    return {"value": code, "definition": definition, "system": "STC"}


IN = {"indicator": "IN_NETWORK"}
BOTH = {"indicator": "IN_AND_OUT_OF_NETWORK"}
MH = _service("MH", "Mental Health")
A8 = _service("A8", "Psychiatric - Outpatient")
PLAN = _service("30", "Health Benefit Plan Coverage")

PLANS_ACTIVE: list[dict[str, Any]] = [
    {
        "name": "FAKE PPO GOLD",
        "benefits": {
            "statuses": [
                {"status": "ACTIVE_COVERAGE", "coverageLevel": "INDIVIDUAL", "service": s}
                for s in (PLAN, MH, A8)
            ],
            "coPayment": [
                {
                    "coverageLevel": "INDIVIDUAL",
                    "amount": "30",
                    "network": IN,
                    "service": s,
                    "timePeriod": "VISIT",
                    "priorAuthIndicator": "REQUIRED",
                    "messages": ["PRECERTIFICATION REQUIRED"],
                }
                for s in (MH, A8)
            ],
            "coInsurance": [
                {"coverageLevel": "INDIVIDUAL", "percent": "0.2", "network": IN, "service": s}
                for s in (MH, A8)
            ],
            "deductible": [
                {
                    "coverageLevel": "INDIVIDUAL",
                    "amount": "1500",
                    "network": IN,
                    "service": PLAN,
                    "timePeriod": "CALENDAR_YEAR",
                },
                {
                    "coverageLevel": "INDIVIDUAL",
                    "amount": "400",
                    "network": IN,
                    "service": PLAN,
                    "timePeriod": "REMAINING",
                },
            ],
            "limitations": [
                {
                    "coverageLevel": "INDIVIDUAL",
                    "network": BOTH,
                    "service": A8,
                    "timePeriod": "CALENDAR_YEAR",
                    "quantity": {"value": "30", "qualifier": "VISITS"},
                }
            ],
        },
    }
]

# Values the schema does not list: a status, a network indicator, a time period, a coverage
# level and a benefit array of Stedi's future. None of them may be read as a fact.
NEW_VALUES_PLANS: list[dict[str, Any]] = [
    {
        "benefits": {
            "statuses": [
                {"status": "ACTIVE_COVERAGE", "coverageLevel": "INDIVIDUAL", "service": PLAN},
                {"status": "ACTIVE_SOMEDAY", "coverageLevel": "INDIVIDUAL", "service": MH},
            ],
            "coPayment": [
                {
                    "coverageLevel": "HOUSEHOLD",
                    "amount": "45",
                    "network": {"indicator": "PREFERRED_NETWORK"},
                    "service": MH,
                    "timePeriod": "FORTNIGHT",
                }
            ],
            "wellnessCredits": [
                {"coverageLevel": "INDIVIDUAL", "amount": "100", "network": IN, "service": MH}
            ],
        }
    }
]

"""The cost estimate: known values give a point, every unknown widens the range and is named.

A flat program keeps the arithmetic visible: 20 sessions at an allowed $100.00.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from coverage_builders import eb, result

from verifier.coverage import FacilityProfile, summarize
from verifier.coverage.model import Estimate
from verifier.domain import Condition, EligibilityResult, LevelOfCare

ACTIVE = eb("1**30**GOLD PLAN")
MET_DEDUCTIBLE = eb("C*IND*30***29*0*****Y")
ROOMY_OOP = eb("G*IND*30***29*5000*****Y")
TWENTY_PERCENT = (eb("A**A8*****0.2****Y"), eb("B**A8***27*0*****Y"))


@pytest.fixture
def flat_facility() -> FacilityProfile:
    return FacilityProfile.from_mapping(
        {
            "name": "Flat Center",
            "npi": "1234567893",
            "phone": "555-0100",
            "programs": {
                "iop": {
                    "allowed_amount": "100.00",
                    "phases": [{"weeks": 10, "per_week": 2}],
                }
            },
        }
    )


@pytest.fixture
def estimate_of(flat_facility):
    def run(response: EligibilityResult, in_network: bool | None = True) -> Estimate:
        return summarize(
            response,
            level=LevelOfCare.IOP,
            condition=Condition.MENTAL_HEALTH,
            facility=flat_facility,
            in_network=in_network,
        ).estimate

    return run


def _range(estimate: Estimate) -> tuple[Decimal | None, Decimal | None]:
    return estimate.patient_cost_low, estimate.patient_cost_high


def test_known_values_give_a_point(estimate_of):
    estimate = estimate_of(result(ACTIVE, MET_DEDUCTIBLE, ROOMY_OOP, *TWENTY_PERCENT))
    assert estimate.sessions == 20
    assert _range(estimate) == (Decimal("400.0"), Decimal("400.0"))


def test_remaining_deductible_is_paid_first(estimate_of):
    deductible = eb("C*IND*30***29*150*****Y")
    estimate = estimate_of(result(ACTIVE, deductible, ROOMY_OOP, *TWENTY_PERCENT))
    # 100 + (50 + 0.2 x 50) + 18 x 20
    assert _range(estimate) == (Decimal("520.0"), Decimal("520.0"))


def test_unknown_coinsurance_widens_the_range_and_is_named(estimate_of):
    copay_only = eb("B**A8***27*20*****Y")
    estimate = estimate_of(result(ACTIVE, MET_DEDUCTIBLE, ROOMY_OOP, copay_only))
    assert _range(estimate) == (Decimal("400"), Decimal("2000.00"))
    assert any("No coinsurance was reported" in a for a in estimate.assumptions)


def test_unknown_deductible_is_named_not_taken_as_zero(estimate_of):
    estimate = estimate_of(result(ACTIVE, ROOMY_OOP, *TWENTY_PERCENT))
    low, high = _range(estimate)
    assert low == Decimal("400.0")
    assert high == Decimal("2000.00")
    assert any("remaining deductible was not reported" in a for a in estimate.assumptions)


def test_remaining_out_of_pocket_caps_the_high_end(estimate_of):
    copay_only = eb("B**A8***27*20*****Y")
    small_oop = eb("G*IND*30***29*900*****Y")
    estimate = estimate_of(result(ACTIVE, MET_DEDUCTIBLE, small_oop, copay_only))
    assert _range(estimate) == (Decimal("400"), Decimal("900"))


def test_out_of_pocket_already_met_costs_nothing(estimate_of):
    met = eb("G*IND*30***29*0*****Y")
    estimate = estimate_of(result(ACTIVE, MET_DEDUCTIBLE, met, *TWENTY_PERCENT))
    assert _range(estimate) == (Decimal("0"), Decimal("0"))


def test_sessions_beyond_the_remaining_visits_cost_the_full_amount(estimate_of):
    limit = eb("F*IND*A8***29***VS*5**Y")
    estimate = estimate_of(result(ACTIVE, MET_DEDUCTIBLE, ROOMY_OOP, limit, *TWENTY_PERCENT))
    # 5 x 20 covered + 15 x 100 at the full allowed amount
    assert _range(estimate) == (Decimal("1600.0"), Decimal("1600.0"))
    assert any("Only 5 visits remain" in a for a in estimate.assumptions)


def test_not_covered_costs_the_full_amount(estimate_of):
    estimate = estimate_of(result(ACTIVE, eb("I**A8*********Y")))
    assert _range(estimate) == (Decimal("2000.00"), Decimal("2000.00"))


def test_unknown_network_spans_both_tiers(estimate_of):
    out_of_network = (eb("A**A8*****0.5****N"), eb("B**A8***27*0*****N"),
                      eb("C*IND*30***29*0*****N"), eb("G*IND*30***29*5000*****N"))
    response = result(ACTIVE, MET_DEDUCTIBLE, ROOMY_OOP, *TWENTY_PERCENT, *out_of_network)
    assert _range(estimate_of(response, in_network=True)) == (Decimal("400.0"),) * 2
    assert _range(estimate_of(response, in_network=False)) == (Decimal("1000.0"),) * 2
    spanning = estimate_of(response, in_network=None)
    assert _range(spanning) == (Decimal("400.0"), Decimal("1000.0"))
    assert any("in network is not known" in a for a in spanning.assumptions)


def test_out_of_network_mentions_balance_billing(estimate_of):
    estimate = estimate_of(result(ACTIVE, *TWENTY_PERCENT), in_network=False)
    assert any("balance billing" in a for a in estimate.assumptions)


def test_inactive_coverage_shows_the_full_cost(estimate_of):
    estimate = estimate_of(result(eb("6**30")))
    assert _range(estimate) == (Decimal("2000.00"), Decimal("2000.00"))


def test_no_benefits_gives_no_cost(estimate_of):
    estimate = estimate_of(result())
    assert _range(estimate) == (None, None)
    assert estimate.sessions == 20


def test_the_allowed_amount_is_named_as_the_centers_assumption(estimate_of):
    estimate = estimate_of(result(ACTIVE))
    assert any("$100.00 per session is the center's assumption" in a
               for a in estimate.assumptions)


def test_default_iop_schedule_is_36_to_40_sessions(summarize_iop_mh):
    estimate = summarize_iop_mh(result(ACTIVE)).estimate
    assert estimate.sessions == 36
    assert "36 to 40 sessions on the program's usual schedule." in estimate.assumptions

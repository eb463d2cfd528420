"""The reading rules of DESIGN §7, one behaviour per test, on hand-built 271 benefits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from coverage_builders import aaa, dtp, eb, entity, result

from verifier.coverage.model import CoverageStatus, NetworkStatus
from verifier.domain import (
    Condition,
    EligibilityResult,
    LevelOfCare,
    Party,
    Reference,
    RetryClass,
)

ACTIVE = eb("1**30**GOLD PLAN")


# --- accumulators -----------------------------------------------------------------------


def test_eb06_29_is_remaining_and_23_or_blank_is_total(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("C*IND*30***23*1500*****Y"), eb("C*IND*30***29*400*****Y"),
               eb("G*IND*30****6000*****Y"), eb("G*IND*30***29*5000*****Y"))
    )
    assert summary.in_network.deductible.individual.total == Decimal("1500")
    assert summary.in_network.deductible.individual.remaining == Decimal("400")
    assert summary.in_network.out_of_pocket.individual.total == Decimal("6000")
    assert summary.in_network.out_of_pocket.individual.remaining == Decimal("5000")


def test_remaining_is_derived_from_total_and_met_in_the_same_tier(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("C*IND*30***23*1500*****Y"), eb("C*IND*30***24*1100*****Y"))
    )
    assert summary.in_network.deductible.individual.remaining == Decimal("400")
    assert "derived: total 1500 - met 1100" in dict(summary.evidence)[
        "in_network.deductible.individual.remaining"
    ]


def test_remaining_is_not_derived_across_tiers(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("C*IND*30***23*1500*****Y"), eb("C*IND*30***24*1100*****N"))
    )
    assert summary.in_network.deductible.individual.remaining is None
    assert summary.out_of_network.deductible.individual.total is None


def test_ind_and_fam_fill_individual_and_family(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("C*IND*30***23*1500*****Y"), eb("C*FAM*30***23*3000*****Y"))
    )
    assert summary.in_network.deductible.individual.total == Decimal("1500")
    assert summary.in_network.deductible.family.total == Decimal("3000")


@pytest.mark.parametrize(("code", "level"), [("EMP", "individual"), ("ESP", "family")])
def test_employee_only_is_individual_and_employee_spouse_is_family(
    summarize_iop_mh, code, level
):
    summary = summarize_iop_mh(result(ACTIVE, eb(f"C*{code}*30***23*900*****Y")))
    assert getattr(summary.in_network.deductible, level).total == Decimal("900")


def test_blank_coverage_level_is_not_placed(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("C**30***23*900*****Y")))
    assert summary.in_network.deductible.individual.total is None
    assert summary.in_network.deductible.family.total is None


def test_deductible_falls_back_to_30(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("C*IND*30***29*250*****Y")))
    assert summary.in_network.deductible.individual.remaining == Decimal("250")


def test_service_deductible_on_the_ladder_beats_the_plan_wide_one(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("C*IND*30***29*250*****Y"), eb("C*IND*MH***29*100*****Y"))
    )
    assert summary.in_network.deductible.individual.remaining == Decimal("100")


def test_conflicting_values_in_one_rung_are_not_reported_but_noted(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("G*FAM*30***23*1000*****Y"), eb("G*FAM*30***23*1500*****Y"))
    )
    assert summary.in_network.out_of_pocket.family.total is None
    assert any("different values" in n for n in dict(summary.evidence)["notes"])


# --- tiers ------------------------------------------------------------------------------


def test_w_fills_both_tiers(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("A*IND*A8***27**0.2****W")))
    assert summary.in_network.coinsurance == Decimal("0.2")
    assert summary.out_of_network.coinsurance == Decimal("0.2")


def test_y_and_n_split_the_tiers(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("B**A8***27*30*****Y"), eb("B**A8***27*60*****N"))
    )
    assert summary.in_network.copay.amount == Decimal("30")
    assert summary.out_of_network.copay.amount == Decimal("60")


@pytest.mark.parametrize("flag", ["", "U"])
def test_blank_or_u_network_fills_neither_tier_and_is_noted(summarize_iop_mh, flag):
    summary = summarize_iop_mh(result(ACTIVE, eb(f"B**A8***27*30*****{flag}")))
    assert summary.in_network.copay.amount is None
    assert summary.out_of_network.copay.amount is None
    assert any("did not say which network" in n for n in dict(summary.evidence)["notes"])


def test_network_status_comes_from_the_contract_flag_not_eb12(summarize_iop_mh):
    response = result(ACTIVE, eb("B**A8***27*30*****N"))
    assert summarize_iop_mh(response, in_network=True).network.status is NetworkStatus.IN_NETWORK
    assert summarize_iop_mh(response, in_network=None).network.status is NetworkStatus.UNKNOWN
    assert (
        summarize_iop_mh(response, in_network=False).network.status
        is NetworkStatus.OUT_OF_NETWORK
    )


# --- copay and coinsurance ---------------------------------------------------------------


def test_missing_coinsurance_stays_null(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**A8***27*30*****Y")))
    assert summary.in_network.coinsurance is None
    assert summary.to_dict()["benefits"]["in_network"]["coinsurance"] is None


def test_coinsurance_zero_is_reported_as_zero(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("A**A8*****0****Y")))
    assert summary.to_dict()["benefits"]["in_network"]["coinsurance"] == "0.00"


def test_copay_is_never_borrowed_from_98(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**98***27*25*****Y")))
    assert summary.in_network.copay.amount is None


def test_copay_is_never_borrowed_from_30(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**30***27*25*****Y")))
    assert summary.in_network.copay.amount is None


def test_copay_on_a_list_that_names_mh_is_the_mh_copay(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**1^33^98^MH^UC*HM**27*10*****Y")))
    assert summary.in_network.copay.amount == Decimal("10")
    assert summary.in_network.copay.per == "visit"


def test_copay_per_day(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**A8***7*50*****Y")))
    assert summary.in_network.copay.per == "day"


def test_most_specific_rung_wins(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("B**MH***27*40*****Y"), eb("B**A8***27*20*****Y"))
    )
    assert summary.in_network.copay.amount == Decimal("20")
    assert dict(summary.evidence)["in_network.copay"] == ("EB*B**A8***27*20*****Y",)


def test_procedure_code_beats_every_service_type(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("B**A8***27*20*****Y"), eb("B*****27*15*****Y*HC:S9480"))
    )
    assert summary.in_network.copay.amount == Decimal("15")


def test_copay_and_coinsurance_come_from_the_same_rung(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("A**A8*****0.2****Y"), eb("B**MH***27*40*****Y"))
    )
    assert summary.in_network.coinsurance == Decimal("0.2")
    assert summary.in_network.copay.amount is None


# --- covered ------------------------------------------------------------------------------


def test_eb_i_means_not_covered_on_that_tier(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("I**A8*********N"), eb("B**A8***27*20*****Y"))
    )
    assert summary.out_of_network.covered is False
    assert summary.in_network.covered is True


def test_nothing_on_the_ladder_leaves_covered_unknown(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**98***27*25*****Y")))
    assert summary.in_network.covered is None


# --- visit limits -------------------------------------------------------------------------


def test_hsd_visit_limit_total_and_remaining(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("F*IND*A8*********Y", hsd=("VS*30***23",)),
               eb("F*IND*A8*********Y", hsd=("VS*18***29",)))
    )
    limit = summary.visit_limit
    assert (limit.allowed, limit.remaining, limit.period) == (30, 18, "calendar_year")


def test_eb09_eb10_visit_limit_with_used(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("F*IND*A8***22***VS*20**Y"), eb("F*IND*A8******99*5**Y"))
    )
    limit = summary.visit_limit
    assert (limit.allowed, limit.used, limit.remaining, limit.period) == (
        20, 5, 15, "service_year"
    )


def test_visit_limit_from_msg_text(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("F**MH", msgs=("LIMITED TO 30 VISITS PER CALENDAR YEAR",)))
    )
    assert (summary.visit_limit.allowed, summary.visit_limit.period) == (30, "calendar_year")


def test_visit_limit_of_another_service_is_not_the_programs(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("F*IND*33*********Y", hsd=("VS*35***21*1",)))
    )
    assert summary.visit_limit.allowed is None


# --- preauthorization ---------------------------------------------------------------------


def test_msg_precert_means_preauthorization_required(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("F**30", msgs=("PLAN REQUIRES PRECERT",))))
    assert summary.preauthorization.required is True
    assert any("PLAN REQUIRES PRECERT" in e for e in summary.preauthorization.evidence)


def test_eb11_y_means_preauthorization_required(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**A8***27*20****Y*Y")))
    assert summary.preauthorization.required is True
    assert summary.preauthorization.evidence == ("EB11=Y on EB*B**A8***27*20****Y*Y",)


def test_eb11_n_on_the_program_means_not_required(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("B**A8***27*20****N*Y")))
    assert summary.preauthorization.required is False


def test_x3_entity_means_preauthorization_required(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("1**MH", entities=(entity("X3", "CAREFUL UM INC"),)))
    )
    assert summary.preauthorization.required is True


def test_no_evidence_leaves_preauthorization_unknown(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("F**98", msgs=("PLAN REQUIRES PRECERT",))))
    assert summary.preauthorization.required is None


# --- administrator ------------------------------------------------------------------------


def test_carve_out_entity_names_the_administrator(summarize_iop_mh):
    carve_out = eb("U**MH", entities=(entity("PR", "BEHAVIORAL HEALTH CO", "BH001",
                                              "8005551234"),))
    summary = summarize_iop_mh(result(ACTIVE, carve_out))
    assert summary.to_dict()["administrator"] == {
        "name": "BEHAVIORAL HEALTH CO", "payer_id": "BH001", "phone": "8005551234"
    }


def test_other_payer_on_30_is_not_a_carve_out(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, eb("R**30", entities=(entity("PR", "MEDICARE"),))))
    assert summary.administrator is None


# --- coverage -----------------------------------------------------------------------------


def test_active_on_30_is_active_coverage(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE))
    assert summary.coverage.status is CoverageStatus.ACTIVE
    assert summary.coverage.plan_name == "GOLD PLAN"


def test_inactive_coverage(summarize_iop_mh):
    summary = summarize_iop_mh(result(eb("6**30")))
    assert summary.coverage.status is CoverageStatus.INACTIVE


def test_active_and_inactive_together_is_unknown(summarize_iop_mh):
    summary = summarize_iop_mh(result(eb("6**30"), ACTIVE))
    assert summary.coverage.status is CoverageStatus.UNKNOWN


def test_an_inactive_period_that_ended_before_the_service_date_is_history(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(eb("1*IND**MA"), eb("6", dates=(dtp("307", "20070901-20070930"),)),
               dates=(dtp("472", "20090501"),))
    )
    assert summary.coverage.status is CoverageStatus.ACTIVE


def test_no_benefits_is_unknown(summarize_iop_mh):
    summary = summarize_iop_mh(result(member_errors=(aaa("2100C", "75", None,
                                                         RetryClass.NOT_FOUND),)))
    assert summary.coverage.status is CoverageStatus.UNKNOWN


def test_plan_dates_and_group_number(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, dates=(dtp("346", "20260101"), dtp("347", "20261231")),
               refs=(Reference("6P", "GRP-77"),))
    )
    coverage = summary.coverage
    assert (coverage.plan_begin, coverage.plan_end, coverage.group_number) == (
        dt.date(2026, 1, 1), dt.date(2026, 12, 31), "GRP-77"
    )


def test_plan_dates_fall_back_to_a_291_range_with_an_open_end(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, dates=(dtp("291", "20120101-99991231"),)))
    assert (summary.coverage.plan_begin, summary.coverage.plan_end) == (
        dt.date(2012, 1, 1), None
    )


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("loop", ["2000A", "2100A", "2100B", "2100C", "2110C"])
def test_aaa_at_every_loop_becomes_an_error_with_its_retry_class(summarize_iop_mh, loop):
    error = aaa(loop, "42", "R", RetryClass.RETRY_LATER)
    if loop in {"2000A", "2100A"}:
        response = result(payer_errors=(error,))
    elif loop == "2100B":
        response = result(provider_errors=(error,))
    elif loop == "2100C":
        response = result(member_errors=(error,))
    else:
        response = result(ACTIVE, eb("1**A8", errors=(error,)))
    assert summarize_iop_mh(response).to_dict()["errors"] == [
        {"code": "42", "description": "Unable to Respond at Current Time", "follow_up": "R",
         "retryable": True, "loop": loop}
    ]


def test_a_fix_input_error_is_not_retryable(summarize_iop_mh):
    response = result(member_errors=(aaa("2100C", "72", "C", RetryClass.FIX_INPUT,
                                         "Invalid/Missing Subscriber/Insured ID"),))
    assert summarize_iop_mh(response).errors[0].retryable is False


def test_a_response_without_a_member_is_unknown_with_its_errors(summarize_iop_mh):
    response = EligibilityResult(
        payer=Party(name="X"),
        provider=Party(errors=(aaa("2100B", "50", "N", RetryClass.CONFIGURATION),)),
    )
    summary = summarize_iop_mh(response)
    assert summary.coverage.status is CoverageStatus.UNKNOWN
    assert [e.loop for e in summary.errors] == ["2100B"]


# --- ladders ------------------------------------------------------------------------------


def test_gambling_reads_the_mental_health_ladder(summarize_iop_mh):
    from verifier.coverage.ladders import condition_of

    response = result(ACTIVE, eb("B**A8***27*20*****Y"), eb("B**AI***27*50*****Y"))
    summary = summarize_iop_mh(response, condition=condition_of("gambling"))
    assert summary.in_network.copay.amount == Decimal("20")


def test_substance_use_reads_its_own_ladder(summarize_iop_mh):
    response = result(ACTIVE, eb("B**A8***27*20*****Y"), eb("B**AI***27*50*****Y"))
    summary = summarize_iop_mh(response, condition=Condition.SUBSTANCE_USE)
    assert summary.in_network.copay.amount == Decimal("50")


def test_outpatient_reads_psychotherapy_first(summarize_iop_mh):
    response = result(ACTIVE, eb("B**MH***27*40*****Y"), eb("B**A6***27*25*****Y"))
    summary = summarize_iop_mh(response, level=LevelOfCare.OUTPATIENT)
    assert summary.in_network.copay.amount == Decimal("25")


# --- messages -----------------------------------------------------------------------------


def test_messages_come_from_the_programs_and_plan_wide_benefits_only(summarize_iop_mh):
    summary = summarize_iop_mh(
        result(ACTIVE, eb("B**A8***27*20*****Y", msgs=("IOP COPAY",)),
               eb("B**33***27*20*****Y", msgs=("CHIROPRACTOR",)))
    )
    assert summary.messages == ("IOP COPAY",)

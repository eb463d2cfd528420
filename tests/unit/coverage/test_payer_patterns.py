"""Issue 14: real payer patterns, decided by the TR3 rules (DESIGN §7).

Each case is written for this project from a pattern payers send (the 271 rows are shown as
segments); none is taken from our own output. Every test here failed on the code before
issue 14 (see /work/helpers/note-14.md for the run).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from coverage_builders import dtp, eb, entity, result

from verifier.coverage import default_profile, summarize
from verifier.coverage.facility import FacilityProfile
from verifier.coverage.model import CoverageStatus, CoverageSummary
from verifier.domain import Condition, EligibilityResult, LevelOfCare
from verifier.x12.reader import read_271

ACTIVE = eb("1**30**GOLD PLAN")
SERVICE_DATE = dt.date(2026, 3, 2)


def notes(summary: CoverageSummary) -> tuple[str, ...]:
    return dict(summary.evidence).get("notes", ())


def run(
    found: EligibilityResult,
    level: LevelOfCare = LevelOfCare.IOP,
    condition: Condition = Condition.MENTAL_HEALTH,
    facility: FacilityProfile | None = None,
    service_date: dt.date | None = None,
) -> CoverageSummary:
    dated = {} if service_date is None else {"service_date": service_date}
    return summarize(found, level=level, condition=condition,
                     facility=facility or default_profile(), in_network=True, **dated)


# --- 1. preauthorization scoped to the program ---------------------------------------------

def test_eb11_n_on_the_program_is_not_overridden_by_inpatient_admission_text():
    # A shared MH row: "no auth for outpatient", with the plan's inpatient precert sentence.
    summary = run(result(ACTIVE, eb("1**MH********N",
                                    msgs=("PRECERTIFICATION REQUIRED FOR ALL INPATIENT "
                                          "ADMISSIONS",))))
    assert summary.preauthorization.required is False
    assert any("about inpatient care, not this program" in e
               for e in summary.preauthorization.evidence)


def test_eb11_y_at_another_place_of_service_does_not_override_the_programs_n():
    summary = run(result(ACTIVE, eb("1**A8********N"),
                         eb("1**A8********Y", iii=("ZZ*21",))))  # 21: inpatient hospital
    assert summary.preauthorization.required is False
    assert any("another place of service" in e for e in summary.preauthorization.evidence)


def test_conflicting_explicit_answers_for_the_program_are_not_reported():
    summary = run(result(ACTIVE, eb("1**A8********Y"), eb("1**A8********N")))
    assert summary.preauthorization.required is None
    evidence = summary.preauthorization.evidence
    assert any("EB11=Y" in e for e in evidence) and any("EB11=N" in e for e in evidence)


def test_may_be_required_text_is_unknown_with_the_evidence():
    text = "PRIOR AUTHORIZATION MAY BE REQUIRED FOR SOME SERVICES"
    summary = run(result(ACTIVE, eb("1**MH", msgs=(text,))))
    assert summary.preauthorization.required is None
    assert any(text in e for e in summary.preauthorization.evidence)


def test_the_programs_own_answer_beats_a_plan_wide_precert_message():
    summary = run(result(eb("1**30**GOLD PLAN", msgs=("PLAN REQUIRES PRECERT",)),
                         eb("1**A8********N")))
    assert summary.preauthorization.required is False


# --- 2. place of service (III) -------------------------------------------------------------

def test_rows_split_by_place_of_service_are_distinct_not_a_conflict():
    # Outpatient therapy: 20 % in the office (POS 11), nothing by telehealth (POS 02).
    summary = run(result(ACTIVE, eb("A*IND*A6***27**0.2****Y", iii=("ZZ*11",)),
                         eb("A*IND*A6***27**0****Y", iii=("ZZ*02",))),
                  level=LevelOfCare.OUTPATIENT)
    assert summary.in_network.coinsurance == Decimal("0.2")
    assert not any("coinsurance" in n for n in notes(summary))


def test_a_row_for_a_place_the_program_is_not_delivered_is_not_the_programs():
    summary = run(result(ACTIVE, eb("B*IND*MH***36*500*****Y", iii=("ZZ*21",)),
                         eb("B*IND*MH***27*30*****Y")))
    assert summary.in_network.copay.amount == Decimal("30")
    assert summary.in_network.copay.per == "visit"


def test_the_facility_sets_where_a_program_is_delivered():
    facility = FacilityProfile.from_mapping({
        "name": "Center", "npi": "1234567893", "phone": "555",
        "programs": {"iop": {"allowed_amount": "250.00", "phases": [{"weeks": 1, "per_week": 3}],
                             "ladders": {"mental_health": {
                                 "inquiry": ["MH"], "read": ["A8", "MH"],
                                 "places_of_service": ["11"]}}}},
    })
    summary = run(result(ACTIVE, eb("B*IND*A8***27*40*****Y", iii=("ZZ*22",)),
                         eb("B*IND*A8***27*25*****Y", iii=("ZZ*11",))), facility=facility)
    assert summary.in_network.copay.amount == Decimal("25")


def test_place_of_service_shows_in_the_evidence():
    summary = run(result(ACTIVE, eb("B*IND*A8***27*25*****Y", iii=("ZZ*11",))))
    assert dict(summary.evidence)["in_network.copay"] == ("EB*B*IND*A8***27*25*****Y III*ZZ*11",)


# --- 3. carve-outs by condition ------------------------------------------------------------

SUD_CARVE = eb("U**AI^AJ^AK", entities=(entity("VN", "RECOVERY BEHAVIORAL HEALTH", "RBH01",
                                               "8005550100"),))
MH_CARVE = eb("U**MH^A4", entities=(entity("VN", "OPTUM BEHAVIORAL HEALTH", "87726",
                                           "8005550199"),))


def test_a_substance_use_carve_out_is_not_a_mental_health_programs_administrator():
    summary = run(result(ACTIVE, SUD_CARVE))
    assert summary.administrator is None
    assert any("substance-use care only" in n for n in notes(summary))


def test_a_mental_health_carve_out_is_not_a_substance_use_programs_administrator():
    summary = run(result(ACTIVE, MH_CARVE), condition=Condition.SUBSTANCE_USE)
    assert summary.administrator is None


def test_each_condition_gets_its_own_administrator():
    found = result(ACTIVE, SUD_CARVE, MH_CARVE)
    mh = run(found)
    sud = run(found, condition=Condition.SUBSTANCE_USE)
    assert mh.administrator is not None and mh.administrator.name == "OPTUM BEHAVIORAL HEALTH"
    assert sud.administrator is not None and sud.administrator.payer_id == "RBH01"


# --- 4. eligibility by date ----------------------------------------------------------------

def test_a_closed_inactive_span_before_the_requests_service_date_is_history():
    # The 271 echoes no service date: the request's own date decides.
    summary = run(result(ACTIVE, eb("6**30", dates=(dtp("307", "20250101-20251231"),))),
                  service_date=SERVICE_DATE)
    assert summary.coverage.status is CoverageStatus.ACTIVE


def test_an_active_span_that_ended_before_the_service_date_is_not_active():
    summary = run(result(eb("1**30**GOLD PLAN", dates=(dtp("307", "20250101-20251231"),)),
                         eb("B*IND*A8***27*40*****Y")),
                  service_date=SERVICE_DATE)
    assert summary.coverage.status is CoverageStatus.INACTIVE


def test_an_active_span_that_ended_before_the_echoed_service_date_is_not_active():
    # The 271 echoes the 270's date of service (DTP*472) and a closed 307 span on the EB.
    summary = run(result(eb("1**30**GOLD PLAN", dates=(dtp("307", "20250101-20251231"),)),
                         dates=(dtp("472", "20260302"),)))
    assert summary.coverage.status is CoverageStatus.INACTIVE


def test_a_member_eligibility_end_before_the_service_date_means_the_plan_ended():
    summary = run(result(ACTIVE, dates=(dtp("356", "20240101"), dtp("357", "20251231"))),
                  service_date=SERVICE_DATE)
    assert summary.coverage.status is CoverageStatus.INACTIVE


def test_without_a_request_the_271s_bht_date_is_the_date_of_service():
    found = result(ACTIVE, eb("6**30", dates=(dtp("307", "20250101-20251231"),)))
    from dataclasses import replace

    summary = run(replace(found, transaction_date=SERVICE_DATE))
    assert summary.coverage.status is CoverageStatus.ACTIVE


# --- 5. totals and remaining chosen independently ------------------------------------------

def test_a_remaining_only_row_on_the_program_does_not_hide_the_plan_total():
    summary = run(result(ACTIVE, eb("C*IND*30***23*1500*****Y"),
                         eb("C*IND*A8***29*400*****Y")))
    deductible = summary.in_network.deductible.individual
    assert (deductible.total, deductible.remaining) == (Decimal("1500"), Decimal("400"))


def test_employee_only_is_not_paired_with_the_individual():
    summary = run(result(ACTIVE, eb("G*IND*30***23*6000*****Y"), eb("G*EMP*30***29*900*****Y")))
    oop = summary.in_network.out_of_pocket.individual
    assert (oop.total, oop.remaining) == (Decimal("6000"), None)


# --- 6. several transactions about the same member -----------------------------------------

def _interchange(control: str, copay: str) -> str:
    return (
        f"ISA*00*          *00*          *ZZ*ABC COMPANY    *ZZ*CENTER         *260302*0900*^*"
        f"00501*{control}*0*T*:~GS*HB*ABC*CENTER*20260302*0900*1*X*005010X279A1~"
        "ST*271*0001*005010X279A1~BHT*0022*11*T1*20260302*0900~HL*1**20*1~"
        "NM1*PR*2*ABC COMPANY*****PI*842610001~HL*2*1*21*1~"
        "NM1*1P*2*CENTER*****XX*1234567893~HL*3*2*22*0~"
        "NM1*IL*1*SMITH*JOHN****MI*W123456789~DMG*D8*19800517~EB*1**30**GOLD PLAN~"
        f"EB*B*IND*A8*HM**27*{copay}*****Y~SE*12*0001~GE*1*1~IEA*1*{control}~"
    )


def test_two_interchanges_that_disagree_are_not_reported():
    summary = run(read_271(_interchange("000000001", "40") + _interchange("000000002", "50")))
    assert summary.in_network.copay.amount is None
    assert any("40" in n and "50" in n for n in notes(summary))


# --- 7. free text is evidence, never a number ----------------------------------------------

def test_visits_remaining_in_a_message_is_not_a_number():
    summary = run(result(ACTIVE, eb("F*IND*A8", msgs=("12 VISITS REMAINING THIS YEAR",))))
    assert summary.visit_limit.remaining is None
    assert "visit_limit.payer_text" in dict(summary.evidence)


def test_an_inactive_row_is_not_made_history_by_the_plans_own_end_date():
    # The sandbox's (and payers') "coverage ended": EB*6 on 30, member DTP*347 last year.
    summary = run(result(eb("6*IND*30*PR*SANDBOX PPO"), dates=(dtp("347", "20251231"),)),
                  service_date=SERVICE_DATE)
    assert summary.coverage.status is CoverageStatus.INACTIVE

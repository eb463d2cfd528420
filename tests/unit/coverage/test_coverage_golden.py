"""Golden summaries of the public 271 corpus, as a careful biller reads each file by hand.

The expectations were written from the segments (cited in each comment), not from the code's
output. Each file is read for a sensible program; the default facility is used (IOP: 36-40
sessions at an assumed $250, outpatient: 12 at $150). These tests need the X12 reader
(``verifier.x12.reader.read_271``) and the corpus copies in ``tests/fixtures/x12``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from verifier.coverage import default_profile, summarize
from verifier.domain import Condition, LevelOfCare

reader = pytest.importorskip("verifier.x12.reader", reason="the X12 reader is not there yet")

# VERIFIER_X12_FIXTURES points at another copy of the corpus (e.g. /work/shared/...).
FIXTURES = Path(
    os.environ.get("VERIFIER_X12_FIXTURES")
    or Path(__file__).resolve().parents[2] / "fixtures" / "x12"
)
NOTHING = {"total": None, "remaining": None}
NO_ACCUMULATOR = {"individual": NOTHING, "family": NOTHING}
NO_COPAY = {"amount": None, "per": None}
NO_TIER = {
    "covered": None,
    "copay": NO_COPAY,
    "coinsurance": None,
    "deductible": NO_ACCUMULATOR,
    "out_of_pocket": NO_ACCUMULATOR,
}
NO_LIMIT = {"allowed": None, "used": None, "remaining": None, "period": None}


def summary_of(
    name: str,
    level: LevelOfCare = LevelOfCare.IOP,
    condition: Condition = Condition.MENTAL_HEALTH,
    in_network: bool | None = True,
) -> dict[str, Any]:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} is not there yet")
    result = reader.read_271(path.read_bytes())
    return summarize(
        result, level=level, condition=condition, facility=default_profile(),
        in_network=in_network,
    ).to_dict()


def amounts(total: str | None, remaining: str | None) -> dict[str, str | None]:
    return {"total": total, "remaining": remaining}


# --- LinuxForHealth: the TR3 example 1b / 2b ---------------------------------------------


@pytest.mark.parametrize(
    "name", ["lfh-subscriber-health-benefit-check.271.x12",
             "lfh-dependent-health-benefit-check.271.x12"],
)
def test_lfh_tr3_example_mh_copay_in_and_out_of_network(name):
    s = summary_of(name)
    # EB*1**30**GOLD 123 PLAN; DTP*346*D8*20060101 (2100C, or 2100D for the dependent)
    assert s["coverage"] == {"status": "active", "plan_name": "GOLD 123 PLAN",
                             "group_number": None, "plan_begin": "2006-01-01", "plan_end": None}
    # EB*B**1^33^35^47^86^88^98^AL^MH^UC*HM*GOLD 123 PLAN*27*10.00*****Y: MH is listed, so
    # this is the MH copay, $10 per visit (EB06 27) in network; the N twin says $30 out.
    assert s["benefits"]["in_network"] == {**NO_TIER, "covered": True,
                                           "copay": {"amount": "10.00", "per": "visit"}}
    assert s["benefits"]["out_of_network"] == {**NO_TIER, "covered": True,
                                               "copay": {"amount": "30.00", "per": "visit"}}
    # EB*L + 2120 P3 is the PCP, not a carve-out; no EB11, MSG or X3; no AAA.
    assert s["administrator"] is None
    assert s["preauthorization"] == {"required": None, "evidence": []}
    assert (s["visit_limit"], s["messages"], s["errors"]) == (NO_LIMIT, [], [])
    # No coinsurance segment: the high end allows for any cost share (40 x $250); the low
    # end is the $10 copay for 36 sessions.
    assert (s["estimate"]["patient_cost_low"], s["estimate"]["patient_cost_high"]) == (
        "360.00", "10000.00")


def test_lfh_dependent_for_outpatient_therapy_reads_the_same_mh_copay():
    s = summary_of("lfh-dependent-health-benefit-check.271.x12", level=LevelOfCare.OUTPATIENT)
    # Outpatient ladder A6, A8, CF, CH, MH, A4: only MH is reported (EB03 repetition).
    assert s["benefits"]["in_network"]["copay"] == {"amount": "10.00", "per": "visit"}
    # 12 sessions: 12 x $10 low, 12 x $150 high.
    assert (s["estimate"]["patient_cost_low"], s["estimate"]["patient_cost_high"]) == (
        "120.00", "1800.00")


def test_imsweb_cut_down_tr3_example_is_active_with_nothing_else():
    s = summary_of("imsweb-x271.x12")
    # EB*1**30**GOLD 123 PLAN******** (trailing empties); DTP*346*D8*20060101
    assert s["coverage"]["status"] == "active"
    assert s["coverage"]["plan_name"] == "GOLD 123 PLAN"
    assert s["coverage"]["plan_begin"] == "2006-01-01"
    assert s["benefits"]["in_network"] == NO_TIER
    assert s["benefits"]["out_of_network"] == NO_TIER


# --- PokitDok mock payer -------------------------------------------------------------------


def test_pokitdok_plan_wide_deductible_and_oop_by_tier_and_level():
    s = summary_of("pokitdok-apidocs-mockpayer.271.x12")
    # EB*1*ESP*30^98*PR*Open Choice; REF*6P*088818801000013; DTP*346*D8*20130215 (after EB*1)
    assert s["coverage"] == {"status": "active", "plan_name": "Open Choice",
                             "group_number": "088818801000013", "plan_begin": "2013-02-15",
                             "plan_end": None}
    inn, oon = s["benefits"]["in_network"], s["benefits"]["out_of_network"]
    # EB*C*IND*30***23*3000*****Y / ***29*2983.57*****Y; EB*C*FAM*30***23*6000 / 29*5956.09
    assert inn["deductible"] == {"individual": amounts("3000.00", "2983.57"),
                                 "family": amounts("6000.00", "5956.09")}
    # EB*G*IND*30****3000*****Y (EB06 blank = total) / 29*2983.57; FAM 6000 / 5956.09
    assert inn["out_of_pocket"] == {"individual": amounts("3000.00", "2983.57"),
                                    "family": amounts("6000.00", "5956.09")}
    # the N rows: deductible IND 6000 / 5983.57, FAM 12000 / 11956.09
    assert oon["deductible"] == {"individual": amounts("6000.00", "5983.57"),
                                 "family": amounts("12000.00", "11956.09")}
    # EB*G*IND*30****12500*****N / 29*12483.57; FAM 25000 / 24956.09
    assert oon["out_of_pocket"] == {"individual": amounts("12500.00", "12483.57"),
                                    "family": amounts("25000.00", "24956.09")}
    # Copays ($20 Y, $30 W) and coinsurance (0.5 N) are on 98 only: never borrowed.
    for tier in (inn, oon):
        assert (tier["covered"], tier["copay"], tier["coinsurance"]) == (None, NO_COPAY, None)
    # MSGs on the 30 deductible rows (the 98 rows' MSGs are not this program's)
    assert s["messages"] == [
        "INT MED AND RX,GYN OFFICE VS,DED INCLUDED IN OOP,GYN VISIT,SPEC OFFICE,SPEC VISIT,"
        "PRIMARY OFFICE,PRIME CARE VST",
        "INT MED AND RX",
        "INT MED AND RX,GYN OFFICE VS,DED INCLUDED IN OOP,GYN VISIT,SPEC OFFICE,SPEC VISIT,"
        "PRIME CARE VST",
    ]
    # Low: the remaining deductible $2,983.57 (which is also the remaining OOP). High: IOP
    # coverage is not confirmed on any code, so the full 40 x $250.
    assert (s["estimate"]["patient_cost_low"], s["estimate"]["patient_cost_high"]) == (
        "2983.57", "10000.00")


# --- TigerShark / ZirMed ----------------------------------------------------------------


def test_tigershark_example_2_a8_coinsurance_and_met_accumulators():
    s = summary_of("tigershark-271-example-2.x12")
    # EB|1||30|C1|MANAGED INDEMNITY; REF|6P|00000; only DTP|307 (eligibility), no plan dates
    assert s["coverage"] == {"status": "active", "plan_name": "MANAGED INDEMNITY",
                             "group_number": "00000", "plan_begin": None, "plan_end": None}
    inn = s["benefits"]["in_network"]
    # EB|A|IND|A8|||27||0.2||||Y and EB|B|IND|A8|||27|0|||||Y
    assert (inn["covered"], inn["copay"], inn["coinsurance"]) == (
        True, {"amount": "0.00", "per": "visit"}, "0.20")
    # EB|C|IND|30||||118|||||Y (total), |24|118 (met), |29|0; FAM 236 / met 0 / 29 236
    assert inn["deductible"] == {"individual": amounts("118.00", "0.00"),
                                 "family": amounts("236.00", "236.00")}
    # EB|G|IND|30|C1|||1500 / 29 0; FAM 3000 / 29 0 (24 says 3025.9 met)
    assert inn["out_of_pocket"] == {"individual": amounts("1500.00", "0.00"),
                                    "family": amounts("3000.00", "0.00")}
    # The N rows are all 0; nothing on A8 out of network.
    zero = amounts("0.00", "0.00")
    assert s["benefits"]["out_of_network"] == {
        **NO_TIER, "deductible": {"individual": zero, "family": zero},
        "out_of_pocket": {"individual": zero, "family": zero}}
    # EB|R||30 + 2120 PR MEDICARE is another payer for the plan, not a BH carve-out.
    assert s["administrator"] is None
    assert s["messages"] == []  # the only MSGs are on 98 (OFFICE VISIT, PRIMARY CARE ...)
    # OOP met in network: nothing more to pay.
    assert (s["estimate"]["patient_cost_low"], s["estimate"]["patient_cost_high"]) == (
        "0.00", "0.00")


def test_tigershark_example_2_inpatient_reads_a7_not_a8():
    s = summary_of("tigershark-271-example-2.x12", level=LevelOfCare.INPATIENT)
    # EB|A|IND|A7|||27||0.1||||Y
    assert s["benefits"]["in_network"]["coinsurance"] == "0.10"


def test_tigershark_dependent_benefits_unlabelled_deductible_goes_to_no_tier():
    s = summary_of("tigershark-271-dependent-benefits.x12", in_network=False)
    # The patient is the dependent (HL 23): EB|1|FAM|30|PS|Aetna Choice POS II; DTP|346
    # 20110801 in 2100D; the group is the subscriber's REF|6P|11111 (REF|18 is a plan number)
    assert s["coverage"] == {"status": "active", "plan_name": "Aetna Choice POS II",
                             "group_number": "11111", "plan_begin": "2011-08-01",
                             "plan_end": None}
    # EB|C|IND|30|||23|200 etc. have no EB12: in which network is not said -> neither tier.
    assert s["benefits"]["in_network"]["deductible"] == NO_ACCUMULATOR
    assert s["benefits"]["out_of_network"]["deductible"] == NO_ACCUMULATOR
    assert any("EB*C*IND*30***29*78.8" in n for n in s["evidence"]["notes"])
    # EB|G|IND|30||||1000|||||N / 29 1000; FAM 3000 / 3000
    assert s["benefits"]["out_of_network"]["out_of_pocket"] == {
        "individual": amounts("1000.00", "1000.00"), "family": amounts("3000.00", "3000.00")}
    # "Plan Requires PreCert" is a MSG on EB|F|FAM|5 (lab): not this program's evidence.
    assert s["preauthorization"]["required"] is None
    assert s["messages"] == ["PCP SELECTION NOT REQUIRED", "Med Dent", "LAB OP DIR ACC",
                             "OP LAB", "PAP SMEAR"]
    # Out of network, nothing about IOP: $0 at best, the full 40 x $250 at worst.
    assert (s["estimate"]["patient_cost_low"], s["estimate"]["patient_cost_high"]) == (
        "0.00", "10000.00")


def test_tigershark_related_entity_conflicting_family_oop_is_not_guessed():
    s = summary_of("tigershark-271-related-entity.x12")
    # EB|1|ESP|30|HM|HMO CEDARS SINAI ONLY; REF|6P|55555G (2100D); DTP|291|RD8|20120101-99991231
    assert s["coverage"] == {"status": "active", "plan_name": "HMO CEDARS SINAI ONLY",
                             "group_number": "55555G", "plan_begin": "2012-01-01",
                             "plan_end": None}
    # EB|G|IND|30|||23|500 / 29 460 (Y). FAM: 23 1000 "TWO PARTY" and 23 1500 "COPAY
    # MAXIMUM" (29: 870 and 1370) disagree -> not reported, noted for staff.
    assert s["benefits"]["in_network"]["out_of_pocket"] == {
        "individual": amounts("500.00", "460.00"), "family": NOTHING}
    assert any("in_network.out_of_pocket.family.total" in n for n in s["evidence"]["notes"])
    # EB|N, EB|L (2120 36 employer) and EB|P are not carve-outs.
    assert s["administrator"] is None
    assert s["messages"] == [
        "TWO PARTY COPAY MAXIMUM", "COPAY MAXIMUM", "SINGLE PARTY COPAY MAXIMUM",
        "UNLESS OTHERWISE REQUIRED BY STATE LAW, THIS NOTICE IS NOT A GUARANTEE OF PAYMENT. "
        "BENEFITS ARE SUBJECT TO ALL CONTRACT LIMITATIONS AND THE MEMBERS ELIGIBILITY STATUS "
        "ON THE DATE OF SERVICE. FOR ANY QUESTIONS PLEASE CALL PHONE NUMBER ON BACK OF "
        "MEMBERS CARD.",
    ]


@pytest.mark.parametrize(
    "name", ["tigershark-zentist-271-example-3.x12", "tigershark-zentist-5010-271-example-1.x12"]
)
def test_zentist_example_3_precert_and_no_borrowed_visit_limit(name):
    s = summary_of(name)
    # EB|1|EMP|30|EP|Open Access Elect Choice; REF|6P|030030001000120; DTP|346|D8|20160201
    assert s["coverage"] == {"status": "active", "plan_name": "Open Access Elect Choice",
                             "group_number": "030030001000120", "plan_begin": "2016-02-01",
                             "plan_end": None}
    # EB|F|EMP|30|||||||||Y (EB12=Y, not EB11) + MSG|PLAN REQUIRES PRECERT
    assert s["preauthorization"]["required"] is True
    assert any("PLAN REQUIRES PRECERT" in e for e in s["preauthorization"]["evidence"])
    # EB|G|IND|30||||2100|||||Y and |29|2100
    inn = s["benefits"]["in_network"]
    assert inn["out_of_pocket"] == {"individual": amounts("2100.00", "2100.00"),
                                    "family": NOTHING}
    # The 0.1 coinsurance is on 98 and the $20 copay on 33: not this program's. The MH row
    # (EB|1|EMP|1}33}...}MH}88) has no EB12, so coverage per tier is not confirmed.
    assert (inn["covered"], inn["copay"], inn["coinsurance"]) == (None, NO_COPAY, None)
    # HSD|VS|35|||21|1 and HSD|VS|35|||29 are chiropractic (33) visits: not an IOP limit.
    assert s["visit_limit"] == NO_LIMIT
    assert s["messages"] == [
        "PCP SELECTION NOT REQUIRED",
        "MAXIMUM SAVINGS,QUALIFIED HEALTH PLAN DESIGNATED PROVIDERS",
        "INT MED AND RX",
        "PLAN REQUIRES PRECERT",
        "COMMERCIAL",
        "UNLIMITED LIFETIME BENEFITS",
    ]


def test_zentist_in_out_network_accumulators_and_no_98_copay():
    s = summary_of("tigershark-zentist-271-example-in-out-network.x12")
    inn, oon = s["benefits"]["in_network"], s["benefits"]["out_of_network"]
    # EB|C|IND|30||||118|||||Y / 24 118 / 29 0; EB|G|IND|30|C1|||1500 / 24 1500 / 29 0
    assert inn["deductible"]["individual"] == amounts("118.00", "0.00")
    assert inn["out_of_pocket"]["individual"] == amounts("1500.00", "0.00")
    # the N rows: all 0
    assert oon["deductible"]["individual"] == amounts("0.00", "0.00")
    assert oon["out_of_pocket"]["individual"] == amounts("0.00", "0.00")
    # EB|B|EMP|98||||50|||||Y and 100 N are office-visit copays: never borrowed.
    assert inn["copay"] == oon["copay"] == NO_COPAY
    assert s["messages"] == ["PCP SELECTION NOT REQUIRED"]


# --- companion-guide examples (OopFactory) ---------------------------------------------------


def test_cms_hets_medicare_active_and_an_old_inactive_period_is_history():
    s = summary_of("oopfactory-cms-hets-4010-example3.271.x12", level=LevelOfCare.OUTPATIENT)
    # EB*1*IND**MA and EB*1*IND**MB (no STC: plan-level). EB*6 carries DTP*307*RD8*20070901-
    # 20070930, which ended before the date of service DTP*472*D8*20090501.
    assert s["coverage"] == {"status": "active", "plan_name": None, "group_number": None,
                             "plan_begin": None, "plan_end": None}
    # Nothing on A6/A8/CF/CH/MH/A4; EB*R on 30/88 are other payers (MSP), not carve-outs.
    assert s["benefits"]["in_network"] == NO_TIER
    assert s["administrator"] is None
    assert (s["messages"], s["errors"]) == ([], [])


def test_tmhp_medicaid_does_not_take_the_other_payers_group():
    s = summary_of("oopfactory-tmhp-4010-example2.271.x12", condition=Condition.SUBSTANCE_USE)
    # EB*1*IND*30**PLANABBVDE. REF*6P*G123456 sits under EB*R (other coverage), not 2100C.
    assert s["coverage"] == {"status": "active", "plan_name": "PLANABBVDE",
                             "group_number": None, "plan_begin": None, "plan_end": None}
    assert s["administrator"] is None
    assert s["benefits"]["in_network"] == NO_TIER


def test_scdhhs_template_conflicting_status_and_three_aaa():
    s = summary_of("oopfactory-scdhhs-4010-example1.271.x12")
    # EB*6 (no dates of its own) and EB*1****PCAT... both plan-level: a contradiction.
    assert s["coverage"]["status"] == "unknown"
    # AAA*N**RC*C in 2000A (before NM1*PR), 2100B (after NM1*1P), 2100C (after DTP*472)
    assert [(e["code"], e["follow_up"], e["loop"], e["retryable"]) for e in s["errors"]] == [
        ("RC", "C", "2000A", False), ("RC", "C", "2100B", False), ("RC", "C", "2100C", False)]


# --- rejections without benefits ---------------------------------------------------------------


def test_tigershark_subscriber_rejection_lists_every_aaa():
    s = summary_of("tigershark-271-example.x12")
    # AAA|N||72|C, AAA|N||73|C, AAA|N||73|C, AAA|N||58|C in 2100C; no EB at all
    assert s["coverage"]["status"] == "unknown"
    assert [(e["code"], e["follow_up"], e["loop"], e["retryable"]) for e in s["errors"]] == [
        ("72", "C", "2100C", False), ("73", "C", "2100C", False),
        ("73", "C", "2100C", False), ("58", "C", "2100C", False)]
    assert s["estimate"]["patient_cost_low"] is None


def test_tigershark_dependent_rejection_is_unknown():
    s = summary_of("tigershark-271-example-dependent-rejection.x12")
    # AAA|Y||72|N in the subscriber loop; the dependent loop (HL 23) has no EB
    assert s["coverage"]["status"] == "unknown"
    assert [(e["code"], e["follow_up"], e["loop"]) for e in s["errors"]] == [("72", "N", "2100C")]


def test_lfh_provider_rejection_is_not_retryable():
    s = summary_of("lfh-subscriber-health-benefit-check-error.271.x12")
    # AAA*Y**50*N at 2100B: provider ineligible for inquiries, do not resubmit
    assert s["coverage"]["status"] == "unknown"
    assert [(e["code"], e["follow_up"], e["loop"], e["retryable"]) for e in s["errors"]] == [
        ("50", "N", "2100B", False)]

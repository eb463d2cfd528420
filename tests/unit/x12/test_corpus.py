"""Every published sample reads, and each fact SOURCES.md names for a file comes out right."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from verifier.domain import Benefit, EligibilityResult, MemberResult, ProcedureCode, RetryClass
from verifier.x12.reader import read_271, read_271_all

from .conftest import RESPONSES, fixture_bytes

Read = Callable[[str], EligibilityResult]


def patient(result: EligibilityResult) -> MemberResult:
    assert result.patient is not None
    return result.patient


def benefits(result: EligibilityResult, info: str, service: str | None = None) -> list[Benefit]:
    return [
        b for b in patient(result).benefits
        if b.info == info and (service is None or service in b.service_types)
    ]


def has_warning(result: EligibilityResult, fragment: str) -> bool:
    return any(fragment in warning for warning in result.warnings)


@pytest.mark.parametrize("name", RESPONSES)
def test_every_corpus_271_reads_without_an_exception(name: str) -> None:
    results = read_271_all(fixture_bytes(name))
    assert len(results) == 1
    assert results[0].payer.name


# -- LinuxForHealth TR3 examples (5010) ------------------------------------------------------

def test_tr3_1b_active_coverage_on_30_with_plan_name(read: Read) -> None:
    result = read("lfh-subscriber-health-benefit-check.271.x12")
    [active] = [b for b in benefits(result, "1") if b.service_types == ("30",)]
    assert active.plan_description == "GOLD 123 PLAN"
    assert result.version == "005010X279A1"


def test_tr3_1b_eb03_repetitions_split_on_the_isa11_separator(read: Read) -> None:
    result = read("lfh-subscriber-health-benefit-check.271.x12")
    [copay_in, _] = benefits(result, "B")
    assert copay_in.service_types == ("1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC")


def test_tr3_1b_copay_in_network_10_out_of_network_30_per_visit(read: Read) -> None:
    result = read("lfh-subscriber-health-benefit-check.271.x12")
    copays = {(b.in_plan_network, b.time_period, b.amount) for b in benefits(result, "B")}
    assert copays == {("Y", "27", Decimal("10.00")), ("N", "27", Decimal("30.00"))}


def test_tr3_1b_primary_care_provider_is_a_2120_entity(read: Read) -> None:
    [pcp_benefit] = benefits(read("lfh-subscriber-health-benefit-check.271.x12"), "L")
    [pcp] = pcp_benefit.related_entities
    assert (pcp.entity_code, pcp.name) == ("P3", "JONES, MARCUS")
    assert (pcp.id_qualifier, pcp.identifier) == ("SV", "0202034")


def test_tr3_1b_trace_echo_and_demographics(read: Read) -> None:
    result = read("lfh-subscriber-health-benefit-check.271.x12")
    member = patient(result)
    [trace] = result.traces
    assert (trace.trace_type, trace.number, trace.originator) == ("2", "93175-012547", "9877281234")
    assert (member.last_name, member.first_name, member.member_id) == ("SMITH", "JOHN", "123456789")
    assert member.date_of_birth == dt.date(1963, 5, 19)
    assert member.gender == "M"
    assert member.address_lines == ("15197 BROADWAY AVENUE", "APT 215")
    assert (member.city, member.state, member.postal_code) == ("KANSAS CITY", "MO", "64108")
    assert [(d.qualifier, d.start) for d in member.dates] == [("346", dt.date(2006, 1, 1))]


def test_tr3_2b_dependent_loop_is_the_patient(read: Read) -> None:
    result = read("lfh-dependent-health-benefit-check.271.x12")
    assert result.dependent is not None and result.subscriber is not None
    assert result.subscriber.member_id == "123456789"
    assert result.dependent.loop == "2100D"
    assert (result.dependent.first_name, result.dependent.relationship_code) == ("MARY", "19")
    assert result.dependent.date_of_birth == dt.date(1998, 10, 14)
    assert len(result.dependent.benefits) == 5
    assert [t.number for t in result.dependent.traces] == ["93175-012547"]


def test_tr3_1c_provider_rejection_at_2100b_is_configuration(read: Read) -> None:
    result = read("lfh-subscriber-health-benefit-check-error.271.x12")
    [error] = result.errors
    assert result.provider is not None and result.provider.errors == (error,)
    assert (error.loop, error.reject_code, error.follow_up) == ("2100B", "50", "N")
    assert error.valid_request is True
    assert error.reject_description == "Provider Ineligible for Inquiries"
    assert error.follow_up_description == "Resubmission Not Allowed"
    assert error.retry_class is RetryClass.CONFIGURATION
    assert result.subscriber is None


def test_tr3_1c_mismatched_st_se_control_numbers_are_a_warning(read: Read) -> None:
    result = read("lfh-subscriber-health-benefit-check-error.271.x12")
    assert has_warning(result, "SE02 control number does not match ST02")


# -- PokitDok mock payer (5010, GS without GS08) ---------------------------------------------

def test_pokitdok_gs_without_gs08_reads_with_a_warning(read: Read) -> None:
    result = read("pokitdok-apidocs-mockpayer.271.x12")
    assert has_warning(result, "GS has no GS08")
    assert has_warning(result, "BHT02")
    assert result.version is None


def test_pokitdok_family_deductible_total_and_remaining_in_network(read: Read) -> None:
    result = read("pokitdok-apidocs-mockpayer.271.x12")
    found = {
        (b.time_period, b.amount) for b in benefits(result, "C")
        if b.coverage_level == "FAM" and b.in_plan_network == "Y"
    }
    assert found == {("23", Decimal("6000")), ("29", Decimal("5956.09"))}


def test_pokitdok_out_of_pocket_total_has_blank_time_period(read: Read) -> None:
    result = read("pokitdok-apidocs-mockpayer.271.x12")
    totals = [b for b in benefits(result, "G") if b.time_period is None]
    assert {(b.coverage_level, b.in_plan_network, b.amount) for b in totals} == {
        ("IND", "Y", Decimal("3000")), ("FAM", "Y", Decimal("6000")),
        ("IND", "N", Decimal("12500")), ("FAM", "N", Decimal("25000")),
    }


def test_pokitdok_copay_applies_to_both_tiers_with_eb12_w(read: Read) -> None:
    result = read("pokitdok-apidocs-mockpayer.271.x12")
    [both] = [b for b in benefits(result, "B") if b.in_plan_network == "W"]
    assert both.amount == Decimal("30")
    assert both.messages[0] == "GYN OFFICE VS"


def test_pokitdok_out_of_network_coinsurance_is_a_fraction(read: Read) -> None:
    result = read("pokitdok-apidocs-mockpayer.271.x12")
    [coins] = [b for b in benefits(result, "A") if b.in_plan_network == "N"]
    assert coins.percent == Decimal("0.5")


def test_pokitdok_group_reference_keeps_its_description(read: Read) -> None:
    member = patient(read("pokitdok-apidocs-mockpayer.271.x12"))
    [group] = member.references
    assert (group.qualifier, group.value) == ("6P", "088818801000013")
    assert group.description == "MOCK INDIVIDUAL ADVANTAGE PLAN"


# -- TigerShark / ZirMed samples (4010) ------------------------------------------------------

def test_four_aaa_at_2100c_are_all_kept_in_order(read: Read) -> None:
    result = read("tigershark-271-example.x12")
    assert [(e.loop, e.reject_code, e.follow_up) for e in result.errors] == [
        ("2100C", "72", "C"), ("2100C", "73", "C"), ("2100C", "73", "C"), ("2100C", "58", "C"),
    ]
    assert {e.retry_class for e in result.errors} == {RetryClass.FIX_INPUT}
    assert not any(e.valid_request for e in result.errors)


def test_three_trn_segments_are_returned_as_traces(read: Read) -> None:
    result = read("tigershark-271-example.x12")
    assert [(t.trace_type, t.number, t.originator, t.secondary) for t in result.traces] == [
        ("1", "222222222", "9ZIRMEDCOM", "ELR ID"),
        ("2", "333333333", "9ZIRMEDCOM", "ELI ID"),
        ("1", "4444444444", "9MEDDATACO", None),
    ]


def test_4010_interchange_is_read_best_effort_with_a_warning(read: Read) -> None:
    result = read("tigershark-271-example.x12")
    assert result.version == "004010X092A1"
    assert has_warning(result, "4010")


def test_dependent_rejection_keeps_subscriber_aaa_and_dependent_loop(read: Read) -> None:
    result = read("tigershark-271-example-dependent-rejection.x12")
    assert result.subscriber is not None and result.dependent is not None
    [error] = result.subscriber.errors
    assert (error.reject_code, error.follow_up, error.valid_request) == ("72", "N", True)
    assert error.retry_class is RetryClass.FIX_INPUT
    assert result.dependent.benefits == ()
    assert result.dependent.date_of_birth == dt.date(1981, 8, 10)


def test_payer_contact_from_2100a_per(read: Read) -> None:
    result = read("tigershark-271-example-dependent-rejection.x12")
    [contact] = result.payer.contacts
    assert contact.function_code == "IC"
    assert contact.name == "BLUECARD ELIGIBILITY"
    assert contact.communications == (("TE", "8006762583"),)


def test_example_2_deductible_total_ytd_and_remaining(read: Read) -> None:
    result = read("tigershark-271-example-2.x12")
    found = {
        (b.time_period, b.amount) for b in benefits(result, "C")
        if b.coverage_level == "IND" and b.in_plan_network == "Y"
    }
    assert found == {(None, Decimal("118")), ("24", Decimal("118")), ("29", Decimal("0"))}


@pytest.mark.parametrize(
    ("service", "share"),
    [("A4", "0.2"), ("A6", "0.2"), ("A7", "0.1"), ("A8", "0.2")],
)
def test_example_2_psychiatric_coinsurance(read: Read, service: str, share: str) -> None:
    [coins] = benefits(read("tigershark-271-example-2.x12"), "A", service)
    assert (coins.percent, coins.time_period) == (Decimal(share), "27")


def test_example_2_non_covered_services(read: Read) -> None:
    found = [b.service_types for b in benefits(read("tigershark-271-example-2.x12"), "I")]
    assert found == [("35",), ("92",), ("91",), ("88",)]


def test_example_2_plan_administrator_entity_with_address(read: Read) -> None:
    [active] = [b for b in benefits(read("tigershark-271-example-2.x12"), "1", "30")]
    [entity] = active.related_entities
    assert (entity.entity_code, entity.name) == ("PR", "UNITEDHEALTHCARE")
    assert (entity.city, entity.state, entity.postal_code) == ("ATLANTA", "GA", "303740800")


def test_example_2_insured_relationship_and_group(read: Read) -> None:
    member = patient(read("tigershark-271-example-2.x12"))
    assert member.relationship_code == "18"
    assert [(r.qualifier, r.value) for r in member.references] == [("6P", "00000")]


def test_dependent_benefits_wrong_se_count_is_a_warning(read: Read) -> None:
    result = read("tigershark-271-dependent-benefits.x12")
    assert has_warning(result, "SE01 segment count 79 does not match the 81 segments")


def test_dependent_benefits_precert_message(read: Read) -> None:
    result = read("tigershark-271-dependent-benefits.x12")
    messages = [m for b in benefits(result, "F") for m in b.messages]
    assert "Plan Requires PreCert" in messages


def test_dependent_benefits_lifetime_limitation(read: Read) -> None:
    [lifetime] = [b for b in benefits(read("tigershark-271-dependent-benefits.x12"), "F")
                  if b.time_period == "32"]
    assert lifetime.messages == ("Unlimited Lifetime Benefits",)


def test_dependent_benefits_family_deductible_with_benefit_date(read: Read) -> None:
    result = read("tigershark-271-dependent-benefits.x12")
    first = benefits(result, "C")[0]
    assert (first.coverage_level, first.time_period, first.amount) == ("FAM", "23", Decimal("600"))
    assert [(d.qualifier, d.start) for d in first.dates] == [("307", dt.date(2012, 1, 1))]
    assert patient(result).loop == "2100D"


def test_related_entity_2120_without_nm1_keeps_address_and_phone(read: Read) -> None:
    result = read("tigershark-271-related-entity.x12")
    [restricted] = benefits(result, "N")
    [entity] = restricted.related_entities
    assert entity.entity_code == ""
    assert entity.address_lines == ("123 RELATED ST # 1",)
    assert entity.contacts[0].communications == (("TE", "8005554160"),)
    assert has_warning(result, "2120 loop without NM1")


def test_related_entity_employer_under_eb_l(read: Read) -> None:
    [employer_benefit] = benefits(read("tigershark-271-related-entity.x12"), "L")
    [employer] = employer_benefit.related_entities
    assert (employer.entity_code, employer.name, employer.state) == ("36", "EMPLOYER", "WA")


def test_related_entity_benefit_disclaimer_long_message(read: Read) -> None:
    [disclaimer] = benefits(read("tigershark-271-related-entity.x12"), "P")
    assert disclaimer.messages[0].startswith("UNLESS OTHERWISE REQUIRED BY STATE LAW")
    assert len(disclaimer.messages[0]) > 200


def test_related_entity_rd8_date_range(read: Read) -> None:
    member = patient(read("tigershark-271-related-entity.x12"))
    [plan] = member.dates
    assert (plan.qualifier, plan.start, plan.end) == (
        "291", dt.date(2012, 1, 1), dt.date(9999, 12, 31)
    )


def test_related_entity_wrong_se_count_is_a_warning(read: Read) -> None:
    assert has_warning(read("tigershark-271-related-entity.x12"), "SE01 segment count 77")


# -- zentist 5010 samples -------------------------------------------------------------------

ZENTIST = ["tigershark-zentist-271-example-3.x12", "tigershark-zentist-5010-271-example-1.x12"]


@pytest.mark.parametrize("name", ZENTIST)
def test_zentist_repetition_separator_is_brace(read: Read, name: str) -> None:
    [wide] = [b for b in benefits(read(name), "1") if len(b.service_types) > 1]
    assert wide.service_types == (
        "1", "33", "47", "48", "50", "86", "98", "UC", "AL", "MH", "88"
    )


@pytest.mark.parametrize("name", ZENTIST)
def test_zentist_hsd_visit_limits(read: Read, name: str) -> None:
    limits = [b.delivery_limits[0] for b in benefits(read(name), "F", "33") if b.delivery_limits]
    assert [(x.quantity_qualifier, x.quantity, x.time_period, x.periods) for x in limits] == [
        ("VS", Decimal("35"), "21", Decimal("1")),
        ("VS", Decimal("35"), "29", None),
    ]


@pytest.mark.parametrize("name", ZENTIST)
def test_zentist_precert_is_message_only_on_an_in_network_limitation(
    read: Read, name: str
) -> None:
    # SOURCES.md says "EB11=Y", but `EB|F|EMP|30|||||||||Y` puts the Y in EB12 (network).
    limits = benefits(read(name), "F", "30")
    [precert] = [b for b in limits if "PLAN REQUIRES PRECERT" in b.messages]
    assert (precert.authorization_required, precert.in_plan_network) == (None, "Y")


@pytest.mark.parametrize("name", ZENTIST)
def test_zentist_out_of_pocket_total_and_remaining(read: Read, name: str) -> None:
    found = {(b.time_period, b.amount) for b in benefits(read(name), "G")}
    assert found == {(None, Decimal("2100")), ("29", Decimal("2100"))}


def test_zentist_crlf_file_reads_like_the_plain_one(read: Read) -> None:
    # The two differ by one III segment (place of service 11), which example-3 alone has.
    crlf = read("tigershark-zentist-5010-271-example-1.x12")
    plain = read("tigershark-zentist-271-example-3.x12")
    assert crlf.patient is not None and plain.patient is not None
    without_iii = [dataclasses.replace(b, industry_codes=()) for b in plain.patient.benefits]
    assert list(crlf.patient.benefits) == without_iii
    assert [b.places_of_service for b in plain.patient.benefits if b.industry_codes] == [("11",)]
    assert has_warning(crlf, "SE01 segment count 74 does not match the 73 segments")


def test_zentist_missing_terminator_is_split_at_the_line_break(read: Read) -> None:
    result = read("tigershark-zentist-271-example-in-out-network.x12")
    assert has_warning(result, "missing segment terminator")
    [coins] = benefits(result, "A", "52")
    assert coins.percent == Decimal("0.1")
    [excluded] = benefits(result, "I")
    assert excluded.service_types == ("1", "33", "48", "50", "86", "98", "UC")


def test_zentist_in_out_network_tiers(read: Read) -> None:
    result = read("tigershark-zentist-271-example-in-out-network.x12")
    copays = {(b.in_plan_network, b.amount) for b in benefits(result, "B", "98")}
    assert copays == {("Y", Decimal("50")), ("N", Decimal("100"))}
    [both] = benefits(result, "A", "50")
    assert both.in_plan_network == "W"


# -- imsweb: 5010 body in a 4010 envelope ----------------------------------------------------

def test_imsweb_st03_version_wins_over_gs08(read: Read) -> None:
    assert read("imsweb-x271.x12").version == "005010X279A1"


def test_imsweb_trailing_empty_elements_are_ignored(read: Read) -> None:
    [active] = patient(read("imsweb-x271.x12")).benefits
    assert (active.info, active.service_types, active.plan_description) == (
        "1", ("30",), "GOLD 123 PLAN"
    )
    assert active.related_entities[0].entity_code == "P3"


def test_imsweb_wrong_counts_and_control_numbers_are_warnings(read: Read) -> None:
    result = read("imsweb-x271.x12")
    assert has_warning(result, "SE01 segment count 22 does not match the 18 segments")
    assert has_warning(result, "IEA02 does not match ISA13")
    assert result.interchange_control_number == "000003438"


# -- OopFactory companion-guide samples (4010, BOM, CRLF, indentation) ------------------------

def test_cms_hets_bom_and_indentation_are_tolerated(read: Read) -> None:
    result = read("oopfactory-cms-hets-4010-example3.271.x12")
    assert result.payer.name == "CMS"
    assert len(patient(result).benefits) == 26


def test_cms_hets_eb09_quantity_qualifiers(read: Read) -> None:
    result = read("oopfactory-cms-hets-4010-example3.271.x12")
    qualifiers = {b.quantity_qualifier for b in patient(result).benefits} - {None}
    assert qualifiers == {"DY", "LA", "P6", "DB"}
    [reserve] = benefits(result, "K")
    assert (reserve.quantity_qualifier, reserve.quantity, reserve.time_period) == (
        "LA", Decimal("60"), "33"
    )


def test_cms_hets_eb13_composite_split_on_isa16(read: Read) -> None:
    [described] = [b for b in benefits(read("oopfactory-cms-hets-4010-example3.271.x12"), "D")
                   if b.procedure is not None]
    assert described.procedure == ProcedureCode(qualifier="HC", code="90669")


def test_cms_hets_eb6_inactive_with_date_range(read: Read) -> None:
    [inactive] = benefits(read("oopfactory-cms-hets-4010-example3.271.x12"), "6")
    [period] = inactive.dates
    assert (period.qualifier, period.start, period.end) == (
        "307", dt.date(2007, 9, 1), dt.date(2007, 9, 30)
    )


def test_cms_hets_other_payer_2120_and_provider_prv(read: Read) -> None:
    result = read("oopfactory-cms-hets-4010-example3.271.x12")
    other = benefits(result, "R")
    assert [e.entity_code for b in other for e in b.related_entities] == ["PRP", "PRP", "PRP"]
    assert other[0].references[0].qualifier == "IG"
    [home_health] = [b for b in benefits(result, "X", "42")]
    [agency] = home_health.related_entities
    assert (agency.provider_code, agency.provider_id_qualifier, agency.provider_id) == (
        "HH", "9K", "NPI"
    )
    assert len(home_health.messages) == 4


def test_tmhp_cr_segment_terminator_and_trailing_spaces(read: Read) -> None:
    result = read("oopfactory-tmhp-4010-example2.271.x12")
    member = patient(result)
    assert [t.number for t in result.traces] == ["COMPASS 21", "109834652831", "98175-012547"]
    assert member.member_id == "444115555"
    assert [r.qualifier for r in member.references] == ["SY", "F6", "Q4", "EJ"]


def test_tmhp_other_coverage_entities_and_dates(read: Read) -> None:
    other = benefits(read("oopfactory-tmhp-4010-example2.271.x12"), "R")
    assert len(other) == 3
    first = other[0]
    assert [(r.qualifier, r.value, r.description) for r in first.references] == [
        ("6P", "G123456", "EMPLOYERNAME")
    ]
    assert [d.qualifier for d in first.dates] == ["193", "194"]
    [insurer] = first.related_entities
    assert insurer.contacts[0].communications == (("WP", "2145551212"),)


def test_scdhhs_inactive_and_aaa_at_every_level(read: Read) -> None:
    result = read("oopfactory-scdhhs-4010-example1.271.x12")
    assert benefits(result, "6")
    assert [e.loop for e in result.errors] == ["2000A", "2100B", "2100C"]
    assert {e.reject_description for e in result.errors} == {"Unrecognized reject reason code"}
    assert {e.retry_class for e in result.errors} == {RetryClass.CONFIGURATION}


def test_scdhhs_placeholder_birth_date_is_a_warning_not_a_value(read: Read) -> None:
    result = read("oopfactory-scdhhs-4010-example1.271.x12")
    assert patient(result).date_of_birth is None
    assert has_warning(result, "DMG02 is not a valid date")
    assert not any("Birth Date" in w for w in result.warnings)


def test_read_271_returns_the_same_as_the_first_of_read_271_all() -> None:
    data = fixture_bytes("lfh-dependent-health-benefit-check.271.x12")
    assert read_271(data) == read_271_all(data)[0]


# -- issue 14 additions: stupidedi, EdiFabric, Project-Herophilus, x12-types -----------------

@pytest.mark.parametrize("name", ["stupidedi-x279-subscriber.271.x12",
                                  "edifabric-generic-response.271.x12",
                                  "apimeister-x12types-271-01.x12"])
def test_tr3_1b_with_a_greater_than_repetition_separator(read: Read, name: str) -> None:
    result = read(name)
    [copay_in, copay_out] = benefits(result, "B")
    assert copay_in.service_types == ("1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC")
    assert (copay_in.amount, copay_in.in_plan_network) == (Decimal("10"), "Y")
    assert (copay_out.amount, copay_out.in_plan_network) == (Decimal("30"), "N")


def test_stupidedi_x279_version_is_kept(read: Read) -> None:
    assert read("stupidedi-x279-subscriber.271.x12").version == "005010X279"


def test_stupidedi_tr3_2b_dependent_is_the_patient(read: Read) -> None:
    result = read("stupidedi-x279-dependent.271.x12")
    assert result.dependent is not None and result.patient is result.dependent
    assert result.dependent.relationship_code == "19"
    assert len(result.dependent.benefits) == 5


def test_stupidedi_tr3_1c_provider_level_rejection(read: Read) -> None:
    result = read("stupidedi-x279a1-error.271.x12")
    assert result.subscriber is None
    [error] = result.errors
    assert (error.loop, error.reject_code, error.follow_up) == ("2100B", "50", "N")


@pytest.mark.parametrize("name", ["herophilus-emedny-eligible.271.x12",
                                  "apimeister-x12types-271-02.x12"])
def test_emedny_medicaid_answer(read: Read, name: str) -> None:
    result = read(name)
    [eligible] = [b for b in benefits(result, "1", "30")]
    assert eligible.plan_description == "MA Eligible"
    assert eligible.messages == ("35", "46", "49", "95", "RECERT MONTH=12")
    assert [b.service_types for b in benefits(result, "1", "MH")] == [("MH",)]
    [other_payer] = benefits(result, "R")
    assert [(r.qualifier, r.value) for r in other_payer.references] == [("18", "012345679C1")]
    assert [e.entity_code for e in other_payer.related_entities] == ["P4"]

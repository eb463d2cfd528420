"""The member-matching ladder's choices, as pure functions: what it may send, and never."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from tests.fakes.summaries import active_iop
from verifier.coverage.model import Matching
from verifier.coverage.stored import summary_from_dict
from verifier.domain import EligibilityRequest, Person, Provider, Relationship, RequestError
from verifier.payers.directory import Capabilities
from verifier.verifications import matching
from verifier.verifications.matching import MatchingPolicy, candidates, what_to_check
from verifier.x12.aaa import aaa_error

DOB = dt.date(1988, 4, 12)
PLAIN = Capabilities()
BLUE = Capabilities(blue_plan=True)
NAME_DOB = Capabilities(name_dob_search=True)
EVERYTHING = Capabilities(blue_plan=True, name_dob_search=True)
EVERY_STEP = MatchingPolicy(max_extra_calls=matching.MAX_EXTRA_CALLS)


def request_for(
    first: str = "ZELPHA",
    last: str = "QUINTAVIUS",
    member_id: str = "W123456789",
    dob: dt.date = DOB,
    dependent: Person | None = None,
) -> EligibilityRequest:
    return EligibilityRequest(
        payer_id="P1",
        payer_name="PLAN",
        provider=Provider("1234567893", "CENTER"),
        subscriber=Person(first, last, dob, member_id),
        dependent=dependent,
        relationship=Relationship.CHILD if dependent else Relationship.SELF,
        service_date=dt.date(2026, 12, 1),
        trace_number="V1-1",
    )


def aaa(code: str, loop: str = "2100C") -> RequestError:
    return aaa_error(loop, "Y", code, "C")


def steps(
    request: EligibilityRequest,
    *codes: str,
    capabilities: Capabilities = PLAIN,
    policy: MatchingPolicy = EVERY_STEP,
    own: str | None = None,
    loop: str = "2100C",
) -> dict[str, matching.Search]:
    errors = [aaa(code, loop) for code in codes]
    return {v.step: v.search for v in candidates(request, own, errors, capabilities, policy)}


def test_a_last_name_suffix_is_dropped_on_an_invalid_name() -> None:
    found = steps(request_for(last="QUINTAVIUS JR."), "73")
    assert found["name_suffix"].subscriber.last_name == "QUINTAVIUS"


def test_a_hyphenated_surname_is_tried_as_each_part() -> None:
    found = steps(request_for(last="GARCIA-LOPEZ"), "73")
    assert found["surname_first_part"].subscriber.last_name == "GARCIA"
    assert found["surname_second_part"].subscriber.last_name == "LOPEZ"


def test_a_middle_name_is_dropped_from_the_first_name() -> None:
    found = steps(request_for(first="MARY ANN"), "73")
    assert found["name_middle"].subscriber.first_name == "MARY"


def test_punctuation_and_accents_are_dropped() -> None:
    found = steps(request_for(last="O'BRIEN", first="JOSÉ"), "73")
    assert found["name_punctuation"].subscriber.last_name == "OBRIEN"
    assert found["name_accents"].subscriber.first_name == "JOSE"


def test_the_tr3_alternate_search_leaves_the_first_name_out() -> None:
    found = steps(request_for(), "73")
    search = found["alternate_id_dob_last"].subscriber
    assert (search.first_name, search.last_name) == ("", "QUINTAVIUS")
    assert search.member_id == "W123456789"


def test_a_blue_plan_id_loses_its_alpha_prefix_and_no_other_plan_does() -> None:
    assert steps(request_for(member_id="XYZ123456789"), "72", capabilities=BLUE)[
        "member_id_prefix"
    ].subscriber.member_id == "123456789"
    assert "member_id_prefix" not in steps(request_for(member_id="XYZ123456789"), "72")


def test_dashes_and_a_person_code_are_dropped_from_a_member_id() -> None:
    found = steps(request_for(member_id="W1234-5678-01"), "72")
    assert found["member_id_format"].subscriber.member_id == "W1234567801"
    assert found["member_id_person_code"].subscriber.member_id == "W1234-5678"


def test_name_and_dob_without_member_id_only_where_the_payer_supports_it() -> None:
    assert "alternate_name_dob" not in steps(request_for(), "72")
    found = steps(request_for(), "72", capabilities=NAME_DOB)
    assert found["alternate_name_dob"].subscriber.member_id is None


def test_member_id_and_dob_without_a_name_only_where_the_payer_offers_it() -> None:
    assert "alternate_id_dob" not in steps(request_for(), "73")
    found = steps(request_for(), "73", capabilities=Capabilities(id_dob_search=True))
    nameless = found["alternate_id_dob"].subscriber
    assert (nameless.first_name, nameless.last_name, nameless.member_id) == ("", "", "W123456789")
    assert nameless.date_of_birth == DOB  # the date is never changed to find someone


def test_a_dependent_is_never_searched_without_a_name() -> None:
    child = Person("ZED", "QUINTAVIUS", dt.date(2010, 2, 3))
    found = steps(request_for(dependent=child), "65", "73",
                  capabilities=Capabilities(id_dob_search=True), loop="2100D")
    assert "alternate_id_dob" not in found


def test_a_patient_who_is_not_the_policyholder_is_tried_as_subscriber_with_own_id() -> None:
    child = Person("ZED", "QUINTAVIUS", dt.date(2010, 2, 3))
    found = steps(request_for(dependent=child), "67", own="C999", loop="2100D")
    search = found["as_subscriber"]
    assert search.dependent is None and search.relationship is Relationship.SELF
    assert (search.subscriber.first_name, search.subscriber.member_id) == ("ZED", "C999")


def test_a_dependent_name_error_corrects_the_dependent_not_the_policyholder() -> None:
    child = Person("ZED", "QUINTAVIUS III", dt.date(2010, 2, 3))
    found = steps(request_for(last="QUINTAVIUS", dependent=child), "65", loop="2100D")
    assert found["name_suffix"].dependent == replace(child, last_name="QUINTAVIUS")
    assert found["name_suffix"].subscriber == request_for().subscriber


def test_the_day_and_month_are_swapped_only_on_58_or_71() -> None:
    assert steps(request_for(), "71")["dob_transposed"].subscriber.date_of_birth == dt.date(
        1988, 12, 4
    )
    for code in ("72", "73", "75", "67"):
        assert "dob_transposed" not in steps(request_for(), code)


@pytest.mark.parametrize("dob", [dt.date(1988, 4, 13), dt.date(1988, 5, 5), dt.date(1990, 10, 30)])
def test_a_date_with_only_one_reading_is_never_changed(dob: dt.date) -> None:
    """13 April has no "month 13" reading; 5 May reads the same both ways."""
    assert matching.transposed(dob) is None
    assert steps(request_for(dob=dob), "71", "58") == {}


def test_no_variant_carries_anything_the_visitor_did_not_type() -> None:
    """Never other people's data: every value of every variant is the typed one, or made
    from it by removing characters; the date of birth is the typed one or its swap."""
    typed = request_for(first="MARY ANN", last="O'BRIEN-SMITH JR", member_id="XYZ1234-56789-02")
    codes = sorted(matching.MATCHING_CODES)
    for code in codes:
        for step, search in steps(typed, code, capabilities=EVERYTHING).items():
            person = search.subscriber
            assert set(person.first_name.split()) <= {"MARY", "ANN"}
            assert set(person.last_name.replace("-", " ").split()) <= {
                "O'BRIEN", "OBRIEN", "SMITH", "JR", "O'BRIEN-SMITH"
            }, step
            assert person.member_id is None or _is_subsequence(person.member_id, "XYZ1234-56789-02")
            assert person.date_of_birth in {DOB, dt.date(1988, 12, 4)}


def _is_subsequence(small: str, big: str) -> bool:
    remaining = iter(big)
    return all(char in remaining for char in small)


def test_a_rejection_with_any_other_aaa_is_not_rematched() -> None:
    errors = [aaa("75"), aaa_error("2100B", "N", "43", "C")]
    assert candidates(request_for(), None, errors, PLAIN, EVERY_STEP) == []
    assert candidates(request_for(), None, [aaa("42")], PLAIN, EVERY_STEP) == []


def test_the_budget_caps_the_variants_and_none_repeats_the_first_search() -> None:
    typed = request_for(last="QUINTAVIUS JR", member_id="W1234-5678")
    three = candidates(typed, None, [aaa("75")], PLAIN, MatchingPolicy())
    assert len(three) == 3
    searches = [matching.search_of(typed)] + [v.search for v in three]
    assert len(set(searches)) == len(searches)
    assert candidates(typed, None, [aaa("75")], PLAIN, MatchingPolicy(max_extra_calls=0)) == []


def test_a_disabled_step_or_ladder_is_never_offered() -> None:
    typed = request_for(last="QUINTAVIUS JR")
    policy = MatchingPolicy.from_mapping({"steps": {"name_suffix": False}})
    assert "name_suffix" not in steps(typed, "73", policy=policy)
    off = MatchingPolicy.from_mapping({"enabled": False})
    assert candidates(typed, None, [aaa("73")], PLAIN, off) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"steps": {"guess_dob": True}}, "matching.steps.guess_dob: unknown step"),
        ({"max_extra_calls": 11}, "matching.max_extra_calls"),
        ({"max_extra_calls": True}, "matching.max_extra_calls"),
        ({"enabled": "yes"}, "matching.enabled"),
        ({"budget": 3}, "matching.budget: unknown key"),
    ],
)
def test_a_bad_facility_ladder_is_refused_naming_the_key(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MatchingPolicy.from_mapping(data)


def test_what_to_check_names_the_payers_field_first_and_everything_when_not_found() -> None:
    assert what_to_check(["72"]) == ("member_id",)
    assert what_to_check(["73", "58"]) == ("name", "date_of_birth")
    assert what_to_check(["75"]) == ("member_id", "name", "date_of_birth", "policyholder")
    assert what_to_check([]) == matching.CHECKS


def test_what_was_corrected_is_kept_with_the_stored_summary() -> None:
    summary = replace(active_iop(), matching=Matching("name_suffix", "last name without suffix", 1))
    stored = summary.to_dict()
    assert stored["matching"]["said"] == "matched after correcting: last name without suffix"
    assert summary_from_dict(stored) == summary
    assert "matching" not in active_iop().to_dict()

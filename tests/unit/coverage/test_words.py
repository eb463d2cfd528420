"""Words that are true (issue 14 item 9): what the visitor and the staff summary say per state.

The table is ``verifier.coverage.words.WORDS``; docs/words.md shows it. Each state is checked
in English and Spanish on what a visitor reads (``plain_text`` / ``visitor_view``) and what a
coordinator reads (``staff_lines``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from coverage_builders import aaa, eb, entity, result

from verifier.coverage.messages import ESTIMATE, VISITOR
from verifier.coverage.plain import plain_text, visitor_view
from verifier.coverage.words import STAFF, WORDS, markdown_table, staff_lines, states_of
from verifier.domain import RetryClass

LANGUAGES = ("en", "es")
ACTIVE = eb("1**30**GOLD PLAN")
IOP = (eb("A**A8*****0.2****Y"), eb("B**A8***27*0*****Y"), eb("C*IND*30***29*0*****Y"))
GOOD_NEWS = {"en": "Good news", "es": "Buenas noticias"}
NETWORK_KEYS = ("network_unknown", "out_of_network_only", "in_network", "out_of_network")
DOCS = Path(__file__).resolve().parents[3] / "docs" / "words.md"


def lines(summary, facility, language, **kw):
    return plain_text(summary, facility, language, **kw).splitlines()


def says_nothing_about_costs_or_network(summary, facility, language):
    words = plain_text(summary, facility, language)
    assert GOOD_NEWS[language] not in words
    assert "$" not in words
    for key in ("network_unknown", "out_of_network_only", "preauth_required",
                "preauth_not_required", "preauth_unknown"):
        assert VISITOR[language][key] not in words
    view = visitor_view(summary, facility, language)
    assert view["network"] is None and view["estimate"] is None


# --- coverage inactive or unknown -----------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_inactive_coverage_gives_no_network_no_cost_no_good_news(summarize_iop_mh, facility,
                                                                 language):
    summary = summarize_iop_mh(result(eb("6**30"), *IOP))
    assert lines(summary, facility, language)[0] == VISITOR[language]["inactive"]
    says_nothing_about_costs_or_network(summary, facility, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_coverage_gives_no_network_no_cost_no_good_news(summarize_iop_mh, facility,
                                                                language):
    summary = summarize_iop_mh(result(eb("6**30"), ACTIVE, *IOP))  # both: unknown
    assert lines(summary, facility, language)[0] == VISITOR[language]["unknown"]
    says_nothing_about_costs_or_network(summary, facility, language)


# --- visits exhausted -----------------------------------------------------------------------

EXHAUSTED = eb("F*IND*A8***29***VS*0**Y")


@pytest.mark.parametrize("language", LANGUAGES)
def test_exhausted_visits_are_said_first_without_good_news(summarize_iop_mh, facility,
                                                           language):
    summary = summarize_iop_mh(result(ACTIVE, EXHAUSTED, *IOP))
    said = lines(summary, facility, language)
    assert said[0] == VISITOR[language]["visits_exhausted"]
    assert said[1] == VISITOR[language]["active_plain"]
    assert GOOD_NEWS[language] not in "\n".join(said)


def test_exhausted_visits_estimate_the_full_allowed_amount(summarize_iop_mh, facility):
    summary = summarize_iop_mh(result(ACTIVE, EXHAUSTED, *IOP))
    program = facility.program(summary.level_of_care)
    estimate = summary.estimate
    assert estimate.patient_cost_low == program.sessions_low * program.allowed_amount
    assert estimate.patient_cost_high == program.sessions_high * program.allowed_amount
    assert ESTIMATE["en"]["visits_exhausted"] in estimate.assumptions


# --- out of network only ------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_out_of_network_only_says_so(summarize_iop_mh, facility, language):
    summary = summarize_iop_mh(result(ACTIVE, *IOP), in_network=False)
    assert VISITOR[language]["out_of_network_only"] in lines(summary, facility, language)
    inside = summarize_iop_mh(result(ACTIVE, *IOP), in_network=True)
    assert VISITOR[language]["out_of_network_only"] not in lines(inside, facility, language)


# --- carve-out ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_a_re_queried_carve_out_names_the_administrator(summarize_iop_mh, facility, language):
    summary = summarize_iop_mh(result(ACTIVE, *IOP))
    said = lines(summary, facility, language, administered_by="Optum Behavioral Health")
    expected = VISITOR[language]["carve_out"].format(administrator="Optum Behavioral Health")
    assert expected in said


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_named_but_unconfirmed_carve_out_is_said_without_payer_text(summarize_iop_mh,
                                                                      facility, language):
    carve = eb("U**MH", entities=(entity("VN", "ZQXY BEHAVIORAL", "ZQ123456", "8005550000"),))
    summary = summarize_iop_mh(result(ACTIVE, carve, *IOP))
    words = plain_text(summary, facility, language)
    assert VISITOR[language]["carve_out_unconfirmed"] in words
    assert "ZQXY" not in words
    assert any("ZQXY BEHAVIORAL" in line for line in staff_lines(summary.to_dict(), language))


# --- preauthorization -----------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("flag", "key"), [("Y", "preauth_required"),
                                           ("N", "preauth_not_required"),
                                           ("", "preauth_unknown")])
def test_preauthorization_has_three_sentences(summarize_iop_mh, facility, language, flag, key):
    summary = summarize_iop_mh(result(ACTIVE, eb(f"1**A8********{flag}"), *IOP))
    said = lines(summary, facility, language)
    assert VISITOR[language][key] in said
    others = {"preauth_required", "preauth_not_required", "preauth_unknown"} - {key}
    assert not any(VISITOR[language][other] in said for other in others)
    assert STAFF[language][key] in staff_lines(summary.to_dict(), language)


# --- not found ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_not_found_says_what_to_check_on_the_card(summarize_iop_mh, facility, language):
    summary = summarize_iop_mh(result(member_errors=(
        aaa("2100C", "75", None, RetryClass.NOT_FOUND, "Subscriber/Insured Not Found"),)))
    said = lines(summary, facility, language)
    assert said[:2] == [VISITOR[language]["not_found"], VISITOR[language]["not_found_check"]]
    says_nothing_about_costs_or_network(summary, facility, language)
    assert STAFF[language]["not_found"].format(codes="75") in staff_lines(summary.to_dict(),
                                                                          language)


# --- the staff summary ----------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_summary_of_inactive_coverage(summarize_iop_mh, language):
    summary = summarize_iop_mh(result(eb("6**30"), *IOP)).to_dict()
    assert staff_lines(summary, language) == [STAFF[language]["inactive"]]


def test_staff_summary_of_an_active_out_of_network_answer(summarize_iop_mh):
    summary = summarize_iop_mh(result(ACTIVE, *IOP), in_network=False).to_dict()
    assert states_of(summary) == ["coverage_active", "out_of_network_only", "preauth_unknown"]
    assert staff_lines(summary) == [STAFF["en"]["active"], STAFF["en"]["out_of_network"],
                                    STAFF["en"]["preauth_unknown"]]


# --- the table itself -----------------------------------------------------------------------

def test_every_sentence_exists_in_english_and_spanish_with_the_same_fields():
    import string

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    for row in WORDS:
        if row.visitor:
            assert fields(VISITOR["en"][row.visitor]) == fields(VISITOR["es"][row.visitor])
        assert fields(STAFF["en"][row.staff]) == fields(STAFF["es"][row.staff])
    assert set(STAFF["en"]) == set(STAFF["es"])


def test_docs_words_md_holds_the_table():
    assert markdown_table() in DOCS.read_text(encoding="utf-8")

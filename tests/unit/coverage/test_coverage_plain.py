"""Plain words and the visitor view: kind, useful, and never an identifier."""

from __future__ import annotations

import dataclasses
import json
import string

from coverage_builders import aaa, eb, entity, result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.coverage.messages import ESTIMATE, VISITOR
from verifier.coverage.plain import plain_text, visitor_view
from verifier.domain import Reference, RetryClass

ACTIVE = eb("1**30**GOLD PLAN")
IOP_BENEFITS = (
    eb("A**A8*****0.2****Y"),
    eb("B**A8***27*0*****Y", msgs=("PLAN REQUIRES PRECERT",)),
    eb("C*IND*30***29*0*****Y"),
    eb("G*IND*30***29*3000*****Y"),
)


def test_active_covered_in_network(summarize_iop_mh, facility):
    words = plain_text(summarize_iop_mh(result(ACTIVE, *IOP_BENEFITS)), facility)
    assert "coverage is active" in words
    assert "appears to cover our intensive outpatient program (IOP) in network" in words
    assert "requires approval" in words
    assert "Estimated cost to you" in words
    assert "a coordinator will call you" in words
    assert facility.phone in words
    assert "not a guarantee of payment" in words


def test_visit_limit_in_plain_words(summarize_iop_mh, facility):
    limit = eb("F*IND*A8***29***VS*12**Y")
    words = plain_text(summarize_iop_mh(result(ACTIVE, limit, *IOP_BENEFITS)), facility)
    assert "Your plan covers 12 more visits." in words


def test_inactive_is_said_kindly(summarize_iop_mh, facility):
    words = plain_text(summarize_iop_mh(result(eb("6**30"))), facility)
    assert "not active right now" in words
    assert "help you look at other options" in words


def test_not_found_is_said_kindly(summarize_iop_mh, facility):
    response = result(member_errors=(aaa("2100C", "75", None, RetryClass.NOT_FOUND),))
    words = plain_text(summarize_iop_mh(response), facility)
    assert "could not find your coverage" in words
    assert "easy to fix" in words


def test_payer_unavailable_is_said_kindly(summarize_iop_mh, facility):
    words = plain_text(summarize_iop_mh(result(payer_errors=(aaa("2000A"),))), facility)
    assert "did not answer just now" in words


def test_spanish(summarize_iop_mh, facility):
    words = plain_text(summarize_iop_mh(result(ACTIVE, *IOP_BENEFITS)), facility, "es")
    assert "su cobertura de seguro está activa" in words
    assert "No es una garantía de pago." in words


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_language_has_every_visitor_key():
    for table in (VISITOR, ESTIMATE):
        assert set(table) == {"en", "es"}
        english = set(table["en"])
        for language, templates in table.items():
            assert set(templates) == english, language


def test_every_language_has_the_same_fields_per_key():
    for table in (VISITOR, ESTIMATE):
        for language, templates in table.items():
            for key, template in templates.items():
                assert _fields(template) == _fields(table["en"][key]), (language, key)


def test_visitor_view_has_only_the_visitor_keys(summarize_iop_mh, facility):
    view = visitor_view(summarize_iop_mh(result(ACTIVE, *IOP_BENEFITS)), facility)
    assert set(view) == {
        "plain_text", "plain_text_by_language", "coverage", "network", "preauthorization",
        "estimate", "visit_limit",
    }
    assert set(view["coverage"]) == {"status", "plan_begin", "plan_end"}
    assert view["preauthorization"] == {"required": True}


def test_visitor_view_keeps_the_plain_words_in_every_language(summarize_iop_mh, facility):
    """The worker does not know the visitor's language; the page picks from these."""
    view = visitor_view(summarize_iop_mh(result(ACTIVE, *IOP_BENEFITS)), facility)
    assert set(view["plain_text_by_language"]) == set(VISITOR)
    assert view["plain_text_by_language"]["en"] == view["plain_text"]
    assert VISITOR["es"]["active"] in view["plain_text_by_language"]["es"]


_ID = st.from_regex(r"[A-Z]{2}[0-9]{6,10}", fullmatch=True)
_NAME = st.from_regex(r"Z[QXJ][A-Z]{4,9}", fullmatch=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(first=_NAME, last=_NAME, member_id=_ID, group=_ID, plan=_NAME, admin_id=_ID)
def test_no_identifier_reaches_the_visitor(
    summarize_iop_mh, facility, first, last, member_id, group, plan, admin_id
):
    response = result(
        eb(f"1**30**{plan} PLAN"),
        eb("U**MH", entities=(entity("PR", f"{last} BEHAVIORAL", admin_id, "8005550000"),)),
        eb("B**A8***27*20*****Y", msgs=(f"MEMBER {member_id} GROUP {group}",)),
        *IOP_BENEFITS,
        refs=(Reference("6P", group), Reference("1L", group)),
    )
    assert response.subscriber is not None
    patient = dataclasses.replace(
        response.subscriber, first_name=first, last_name=last, member_id=member_id
    )
    response = dataclasses.replace(response, subscriber=patient)
    summary = summarize_iop_mh(response)
    assert summary.coverage.group_number == group  # staff do see it
    shown = plain_text(summary, facility) + json.dumps(visitor_view(summary, facility))
    for secret in (first, last, member_id, group, plan, admin_id, "8005550000"):
        assert secret not in shown.upper()

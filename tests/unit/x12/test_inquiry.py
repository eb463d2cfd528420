"""read_270: corpus inquiries read, and missing facts are named when a request is needed."""

from __future__ import annotations

import datetime as dt

import pytest

from verifier.domain import Relationship
from verifier.x12.errors import X12ParseError
from verifier.x12.inquiry import read_270

from .conftest import INQUIRIES, fixture_bytes


@pytest.mark.parametrize("name", INQUIRIES)
def test_every_corpus_270_reads(name: str) -> None:
    inquiry = read_270(fixture_bytes(name))
    assert inquiry.payer_id and inquiry.trace_number and inquiry.patient is not None


def test_tr3_1a_inquiry_becomes_a_request() -> None:
    request = read_270(fixture_bytes("lfh-subscriber-health-benefit-check.270.x12")).to_request()
    assert (request.payer_id, request.subscriber.member_id) == ("842610001", "11122333301")
    assert request.subscriber.date_of_birth == dt.date(1943, 5, 19)
    assert (request.service_date, request.service_types) == (dt.date(2006, 5, 1), ("30",))
    assert request.trace_number == "93175-012547"


def test_tr3_2a_subscriber_known_only_by_member_id_reads_but_needs_a_birth_date() -> None:
    """TR3 example 2A sends the subscriber as NM1*IL*1******MI*11122333301: a member id and
    no name is a 270 the TR3 itself writes; our request still needs the birth date."""
    inquiry = read_270(fixture_bytes("lfh-dependent-health-benefit-check.270.x12"))
    assert inquiry.dependent is not None and inquiry.dependent.first_name == "MARY"
    assert inquiry.subscriber is not None and inquiry.subscriber.last_name is None
    with pytest.raises(X12ParseError, match="subscriber date of birth"):
        inquiry.to_request()


def test_4010_dependent_inquiry_reads_relationship_and_coverage_level_eq() -> None:
    inquiry = read_270(fixture_bytes("oopfactory-aetna-4010-example3.270.x12"))
    assert inquiry.dependent is not None
    assert inquiry.dependent.relationship_code == "19"
    assert inquiry.dependent.service_types == ["81"]
    assert inquiry.to_request().relationship is Relationship.CHILD


def test_a_271_is_not_a_270() -> None:
    with pytest.raises(X12ParseError, match="no 270"):
        read_270(fixture_bytes("lfh-subscriber-health-benefit-check.271.x12"))

"""An alternate search (the matching ladder) leaves fields out in every route's own way."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tests.unit.verifications.test_matching import request_for
from verifier.payers.clearinghouse import request_body
from verifier.payers.fhir import request_resource
from verifier.x12.encoder import Envelope, encode_270
from verifier.x12.inquiry import read_270

ENVELOPE = Envelope(
    sender_id="VERIFIER",
    receiver_id="P1",
    interchange_control_number=7,
    group_control_number=7,
    transaction_control_number=7,
    created_at=dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC),
)
TYPED = request_for()
NO_FIRST_NAME = replace(TYPED, subscriber=replace(TYPED.subscriber, first_name=""))
NO_MEMBER_ID = replace(TYPED, subscriber=replace(TYPED.subscriber, member_id=None))


def test_a_270_leaves_nm104_empty_and_reads_back() -> None:
    text = encode_270(NO_FIRST_NAME, ENVELOPE)
    assert "NM1*IL*1*QUINTAVIUS*****MI*W123456789~" in text
    assert read_270(text).to_request().subscriber.first_name == ""


def test_a_clearinghouse_body_omits_what_the_search_leaves_out() -> None:
    assert "firstName" not in request_body(NO_FIRST_NAME, "P1")["subscriber"]
    assert "memberId" not in request_body(NO_MEMBER_ID, "P1")["subscriber"]


def test_a_fhir_patient_has_no_empty_given_name() -> None:
    patient = request_resource(NO_FIRST_NAME)["contained"][0]
    assert patient["name"] == [{"family": "QUINTAVIUS"}]

"""A 999 or TA1 instead of a 271 reads into a clear error, never a half-empty result."""

from __future__ import annotations

import pytest

from verifier.x12.builder import build_999_rejection, build_ta1_rejection
from verifier.x12.errors import X12ParseError, X12Rejected
from verifier.x12.reader import read_271, read_response

from .builders import envelope


def test_999_rejection_raises_x12_rejected_with_its_codes() -> None:
    text = build_999_rejection(envelope(), 23, "0031", segment_errors=[("NM1", 9, "8")])
    with pytest.raises(X12Rejected) as raised:
        read_response(text)
    assert raised.value.kind == "999"
    assert raised.value.codes == ("IK3:8", "IK5:5")
    assert "One or More Segments in Error" in raised.value.description
    assert "NM1 segment at position 9" in raised.value.description


def test_ta1_rejection_raises_x12_rejected_with_the_note_code() -> None:
    with pytest.raises(X12Rejected) as raised:
        read_response(build_ta1_rejection(envelope(), 17, note_code="006"))
    assert (raised.value.kind, raised.value.codes) == ("TA1", ("006",))
    assert raised.value.description == "interchange rejected: 006 Invalid Interchange Sender ID"


def test_x12_rejected_is_a_parse_error_for_callers_that_catch_one_type() -> None:
    with pytest.raises(X12ParseError):
        read_271(build_ta1_rejection(envelope(), 17))


def test_accepting_999_is_a_parse_error_not_a_rejection() -> None:
    text = build_999_rejection(envelope(), 23, "0031").replace("IK5*R*5", "IK5*A").replace(
        "AK9*R*1*1*0", "AK9*A*1*1*1"
    )
    with pytest.raises(X12ParseError) as raised:
        read_response(text)
    assert not isinstance(raised.value, X12Rejected)
    assert "999 acknowledgment that does not reject" in str(raised.value)


def test_accepting_ta1_is_a_parse_error_not_a_rejection() -> None:
    text = build_ta1_rejection(envelope(), 17, note_code="000").replace("*R*000", "*A*000")
    with pytest.raises(X12ParseError, match="TA1 interchange acknowledgment") as raised:
        read_response(text)
    assert not isinstance(raised.value, X12Rejected)


def test_999_element_error_data_copy_never_reaches_the_message() -> None:
    text = build_999_rejection(envelope(), 23, "0031").replace(
        "IK5*R*5", "IK3*NM1*9**8~IK4*9**6*SECRETNAME~IK5*R*5"
    )
    with pytest.raises(X12Rejected) as raised:
        read_response(text)
    assert "SECRETNAME" not in str(raised.value)
    assert "IK4:6" in raised.value.codes

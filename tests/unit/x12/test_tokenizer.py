"""Separators come from the ISA; layout noise is tolerated; non-X12 input is refused clearly."""

from __future__ import annotations

import sys

import pytest

from verifier.x12.envelope import parse_interchange
from verifier.x12.errors import X12ParseError
from verifier.x12.reader import read_271
from verifier.x12.tokenizer import Separators, tokenize

from .conftest import fixture_bytes

COLLAPSED = (
    "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*260302*0945*^*00501*1*0*T*:~"
    "GS*HB*S*R*20260302*0945*1*X*005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*X~"
    "HL*1**20*1~NM1*PR*2*PAYER*****PI*P1~HL*2*1*21*1~NM1*1P*2*CLINIC*****XX*1234567893~"
    "HL*3*2*22*0~NM1*IL*1*DOE*JOHN****MI*M1~EB*1**30^MH~SE*10*0001~GE*1*1~IEA*1*1~"
)


@pytest.mark.parametrize(
    ("name", "separators"),
    [
        ("lfh-subscriber-health-benefit-check.271.x12", Separators("*", ":", "^", "~")),
        ("imsweb-x271.x12", Separators("*", ">", None, "~")),
        ("tigershark-271-example.x12", Separators("|", "^", None, "~")),
        ("tigershark-zentist-271-example-3.x12", Separators("|", "^", "}", "~")),
        ("oopfactory-cms-hets-4010-example3.271.x12", Separators("*", "|", None, "~")),
        ("oopfactory-tmhp-4010-example2.271.x12", Separators("*", ":", None, "\r")),
    ],
)
def test_separators_are_read_from_the_isa(name: str, separators: Separators) -> None:
    assert tokenize(fixture_bytes(name)).separators == separators


def test_4010_isa11_is_not_a_repetition_separator() -> None:
    assert tokenize(fixture_bytes("tigershark-271-example-2.x12")).separators.repetition is None


def test_collapsed_isa_falls_back_to_splitting_on_the_element_separator() -> None:
    result = read_271(COLLAPSED)
    assert result.patient is not None
    assert result.patient.benefits[0].service_types == ("30", "MH")


def test_bom_and_leading_whitespace_are_skipped() -> None:
    data = b"\xef\xbb\xbf\r\n  " + COLLAPSED.encode()
    assert read_271(data).payer.name == "PAYER"


def test_latin_1_bytes_decode_without_failing() -> None:
    data = COLLAPSED.replace("CLINIC", "CLÍNICA").encode("latin-1")
    result = read_271(data)
    assert result.provider is not None and result.provider.name == "CLÍNICA"


@pytest.mark.parametrize(
    "text",
    ["", "hello world", "<html><body>502 Bad Gateway</body></html>", "ISA", "ISA*00*short~",
     "ISAA00", "GS*HB*S*R~ST*271*1~"],
)
def test_input_that_is_not_an_interchange_is_refused_clearly(text: str) -> None:
    with pytest.raises(X12ParseError, match=r"not .*X12 interchange"):
        read_271(text)


def test_identical_separators_are_refused() -> None:
    text = COLLAPSED.replace("*T*:~", "*T*^~", 1)
    with pytest.raises(X12ParseError, match="not distinct"):
        tokenize(text)


def test_a_270_is_not_an_eligibility_response() -> None:
    with pytest.raises(X12ParseError, match="transaction set 270 is not an eligibility response"):
        read_271(fixture_bytes("lfh-subscriber-health-benefit-check.270.x12"))


def test_an_interchange_without_transactions_is_refused() -> None:
    with pytest.raises(X12ParseError, match="no transaction set"):
        read_271(COLLAPSED.split("GS*")[0] + "IEA*0*1~")


def test_missing_se_is_a_warning_and_the_content_still_reads() -> None:
    result = read_271(COLLAPSED.replace("SE*10*0001~", ""))
    assert any("before SE" in w for w in result.warnings)
    assert result.patient is not None and result.patient.benefits


def test_envelope_warnings_name_positions_not_values() -> None:
    interchange = parse_interchange(COLLAPSED.replace("SE*10*0001", "SE*99*9999"))
    [transaction] = interchange.transactions
    assert transaction.warnings == [
        "SE01 segment count 99 does not match the 10 segments",
        "SE02 control number does not match ST02",
    ]


def test_garbage_segments_are_named_generically_not_echoed() -> None:
    interchange = parse_interchange(COLLAPSED.replace("GE*1*1~", "GE*1*1~JOHN DOE 1970~"))
    assert any("segment 14: segment outside" in w for w in interchange.warnings)
    assert not any("JOHN" in w for w in interchange.warnings)


def test_the_whitespace_lists_are_every_character_strip_removes() -> None:
    from verifier.x12 import tokenizer

    everything = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    listed = set(" \r\n" + tokenizer._OTHER_ASCII_WHITESPACE + tokenizer._UNICODE_WHITESPACE)
    assert listed == everything


@pytest.mark.parametrize(
    ("old", "new", "clean"),
    [
        ("", "", True),  # names with inner spaces, no padding
        ("*PAYER*", "*PAYER *", False),
        ("*PAYER*", "* PAYER*", False),
        ("*PAYER*", "*PAYER\t*", False),
        ("*PAYER*", "*PA\tYER*", False),  # any tab at all: decided conservatively
        ("*PAYER*", "*PAYER\xa0*", False),
        ("*PAYER*", "*PA\u3000YER*", False),
        ("CLINIC", "CLÍNICA", True),  # not ASCII, but no whitespace beyond spaces
        ("~HL*1*", "~\r\nHL*1*", True),  # line layout between segments
        ("~HL*1*", "  ~  HL*1*", True),  # padding at segment edges is stripped anyway
        ("*PAYER*", "*PAYER\r\n*", False),
    ],
)
def test_clean_says_whether_any_element_needs_strip(old: str, new: str, clean: bool) -> None:
    tokens = tokenize(COLLAPSED.replace(old, new, 1))
    assert tokens.clean is clean
    if clean:
        assert all(e == e.strip() for segment in tokens.segments[1:] for e in segment)


@pytest.mark.parametrize("padding", [" ", "\t", "\xa0", "\u2003", "\x0b"])
def test_padded_elements_read_like_unpadded_ones(padding: str) -> None:
    padded = COLLAPSED.replace("*", f"{padding}*{padding}").replace(
        f"ISA{padding}*{padding}", "ISA*", 1)
    # The ISA keeps its own fixed separators; everything after it is padded on both sides.
    isa_end = COLLAPSED.index("~") + 1
    padded = COLLAPSED[:isa_end] + padded[padded.index("~GS") + 1:]
    assert not tokenize(padded).clean
    assert read_271(padded) == read_271(COLLAPSED)

"""Issue 14 item 8 and 6: the reader reads what payers send.

Hand-written for this project (no permissive public 271 shows these patterns): the base is
the TR3 example 1b as LinuxForHealth ships it (tests/fixtures/x12), changed one way per test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from verifier.domain import EligibilityResult
from verifier.x12.errors import X12ParseError
from verifier.x12.reader import read_271, read_271_all
from verifier.x12.tokenizer import SHARED_SEPARATOR_WARNING

from .conftest import fixture_bytes

TR3 = fixture_bytes("lfh-subscriber-health-benefit-check.271.x12").decode()


def _isa_with(text: str, repetition: str, component: str) -> str:
    """The TR3 1b interchange with ISA11 and ISA16 replaced (fixed-width ISA)."""
    assert text[82] == "^" and text[104] == ":"
    return text[:82] + repetition + text[83:104] + component + text[105:]


def _copays(result: EligibilityResult) -> list[tuple[tuple[str, ...], Decimal | None]]:
    assert result.patient is not None
    return [(b.service_types, b.amount) for b in result.patient.benefits if b.info == "B"]


# -- ISA11 = ISA16 ----------------------------------------------------------------------------

def test_repetition_equal_to_component_separator_is_read_with_a_warning() -> None:
    text = _isa_with(TR3, ":", ":").replace("1^33^35^47^86^88^98^AL^MH^UC", "1:33:MH")
    result = read_271(text)
    assert _copays(result) == [(("1", "33", "MH"), Decimal("10")), (("1", "33", "MH"),
                                                                   Decimal("30"))]
    assert SHARED_SEPARATOR_WARNING in result.warnings


def test_shared_separator_is_a_component_in_eb13() -> None:
    text = _isa_with(TR3, ":", ":").replace(
        "EB*L~", "EB*B*IND*MH*HM**27*25*****Y*HC:90837~", 1
    )
    result = read_271(text)
    assert result.patient is not None
    [therapy] = [b for b in result.patient.benefits if b.procedure is not None]
    assert therapy.procedure is not None
    assert (therapy.procedure.qualifier, therapy.procedure.code) == ("HC", "90837")
    assert therapy.service_types == ("MH",)


# -- several interchanges ---------------------------------------------------------------------

SECOND = (
    "ISA|00|          |00|          |ZZ|ABC COMPANY    |ZZ|BONE AND JOINT |060501|1319|}|00501"
    "|000000918|0|T|>\n"
    "GS|HB|ABC|BONE|20060501|1319|77|X|005010X279A1\n"
    "ST|271|0002|005010X279A1\nBHT|0022|11|10001235|20060501|1320\n"
    "HL|1||20|1\nNM1|PR|2|ABC COMPANY|||||PI|841610001\n"
    "HL|2|1|21|1\nNM1|1P|2|BONE AND JOINT CLINIC|||||SV|2000035\n"
    "HL|3|2|22|0\nNM1|IL|1|SMITH|JOHN||||MI|123456789\n"
    "EB|B|IND|A8}MH|HM||27|40|||||Y\n"
    "SE|9|0002\nGE|1|77\nIEA|1|000000918\n"
)


def test_two_interchanges_are_read_each_with_its_own_separators() -> None:
    results = read_271_all(TR3 + "\r\n" + SECOND)
    assert len(results) == 2
    assert [r.interchange_control_number for r in results] == ["000000907", "000000918"]
    [iop_copay] = [(b.service_types, b.amount) for b in results[1].patient.benefits  # type: ignore[union-attr]
                   if b.info == "B"]
    assert iop_copay == (("A8", "MH"), Decimal("40"))
    assert all(not any("after IEA" in w for w in r.warnings) for r in results)


def test_read_271_merges_two_interchanges_about_the_same_member() -> None:
    result = read_271(TR3 + SECOND)
    assert (("A8", "MH"), Decimal("40")) in _copays(result)
    assert len(_copays(result)) == 3
    assert any("2 transactions about the same member were merged" in w for w in result.warnings)


def test_two_st_sets_about_the_same_member_are_merged() -> None:
    body_start = TR3.index("ST*271")
    body_end = TR3.index("GE*")
    st = TR3[body_start:body_end]
    second = st.replace("ST*271*4321", "ST*271*4322").replace("SE*22*4321", "SE*22*4322")
    second = second.replace("*27*10.00*****Y~", "*27*15.00*****Y~")
    text = TR3[:body_end] + second + TR3[body_end:].replace("GE*1*", "GE*2*")
    assert len(read_271_all(text)) == 2
    merged = read_271(text)
    amounts = sorted(a for _, a in _copays(merged) if a is not None)
    assert amounts == [Decimal("10"), Decimal("15"), Decimal("30")]


def test_answers_about_different_members_are_not_merged() -> None:
    other = SECOND.replace("NM1|IL|1|SMITH|JOHN||||MI|123456789", "NM1|IL|1|DOE|JANE||||MI|999")
    result = read_271(TR3 + other)
    assert len(_copays(result)) == 2
    assert any("read_271 returned the first" in w for w in result.warnings)


# -- encodings --------------------------------------------------------------------------------

def test_utf16_file_is_recognised_and_read() -> None:
    result = read_271(TR3.encode("utf-16"))  # BOM + little endian, as Windows saves it
    assert len(_copays(result)) == 2
    assert any("UTF-16" in w for w in result.warnings)


def test_utf16_without_a_bom_is_recognised() -> None:
    result = read_271(TR3.encode("utf-16-be"))
    assert len(_copays(result)) == 2


def test_broken_utf16_is_refused_naming_the_encoding() -> None:
    data = b"\xff\xfe" + TR3.encode("utf-16-le")[:-1]  # an odd byte count
    with pytest.raises(X12ParseError, match="UTF-16"):
        read_271(data)


def test_utf8_bom_file_is_read() -> None:
    result = read_271(b"\xef\xbb\xbf" + TR3.encode())
    assert len(_copays(result)) == 2

"""The 270 encoder writes a valid 5010 inquiry and refuses unsafe input by field name."""

from __future__ import annotations

from dataclasses import replace

import pytest

from verifier.domain import Person, ProcedureCode, Provider, Relationship
from verifier.x12.charset import X12InputError
from verifier.x12.encoder import encode_270

from .builders import dependent_request, envelope, request


def segments(text: str) -> list[list[str]]:
    return [s.split("*") for s in text.split("~") if s]


def tags(text: str) -> list[str]:
    return [s[0] for s in segments(text)]


def test_subscriber_inquiry_has_the_5010_segment_order() -> None:
    assert tags(encode_270(request(), envelope())) == [
        "ISA", "GS", "ST", "BHT", "HL", "NM1", "HL", "NM1", "HL", "TRN", "NM1", "REF", "DMG",
        "DTP", "EQ", "SE", "GE", "IEA",
    ]


def test_isa_is_fixed_width_with_separators_at_their_positions() -> None:
    isa = encode_270(request(), envelope()).split("~")[0] + "~"
    assert len(isa) == 106
    assert (isa[3], isa[82], isa[104], isa[105]) == ("*", "^", ":", "~")
    assert isa[90:99] == "000000017"


def test_header_segments_name_the_5010_guide() -> None:
    found = {s[0]: s for s in segments(encode_270(request(), envelope()))}
    assert found["GS"][1] == "HS" and found["GS"][8] == "005010X279A1"
    assert found["ST"] == ["ST", "270", "0031", "005010X279A1"]
    assert found["BHT"][:4] == ["BHT", "0022", "13", "VER-0001-1"]


def test_payer_provider_and_subscriber_names_and_ids() -> None:
    nm1s = [s for s in segments(encode_270(request(), envelope())) if s[0] == "NM1"]
    assert nm1s == [
        ["NM1", "PR", "2", "MOCK PAYER INC", "", "", "", "", "PI", "MOCKPAYER"],
        ["NM1", "1P", "2", "HOPE RECOVERY CENTER", "", "", "", "", "XX", "1234567893"],
        ["NM1", "IL", "1", "DOE", "JOHN", "", "", "", "MI", "ABC123456"],
    ]


def test_trace_group_birth_date_and_service_date() -> None:
    found = {s[0]: s for s in segments(encode_270(request(), envelope()))}
    assert found["TRN"] == ["TRN", "1", "VER-0001-1", "9VERIFIER"]
    assert found["REF"] == ["REF", "6P", "GRP-77"]
    assert found["DMG"] == ["DMG", "D8", "19700101", "M"]
    assert found["DTP"] == ["DTP", "291", "D8", "20260302"]


def test_service_types_repeat_with_the_repetition_separator() -> None:
    [eq] = [s for s in segments(encode_270(request(), envelope())) if s[0] == "EQ"]
    assert eq == ["EQ", "30^MH^A8"]


def test_procedure_goes_in_the_eq02_composite() -> None:
    req = request(service_types=(), procedure=ProcedureCode("HC", "S9480", ("HF",)))
    [eq] = [s for s in segments(encode_270(req, envelope())) if s[0] == "EQ"]
    assert eq == ["EQ", "", "HC:S9480:HF"]


def test_trace_originator_can_be_configured() -> None:
    found = {s[0]: s for s in segments(encode_270(request(), envelope(trace_originator="1234")))}
    assert found["TRN"][3] == "1234"


def test_dependent_inquiry_moves_trace_and_eq_to_the_2000d_loop() -> None:
    assert tags(encode_270(dependent_request(), envelope()))[8:19] == [
        "HL", "NM1", "REF", "DMG", "HL", "TRN", "NM1", "DMG", "INS", "DTP", "EQ",
    ]


@pytest.mark.parametrize(
    ("relationship", "code"),
    [(Relationship.SPOUSE, "01"), (Relationship.CHILD, "19"), (Relationship.OTHER, "G8")],
)
def test_dependent_relationship_is_written_in_ins02(relationship: Relationship, code: str) -> None:
    text = encode_270(dependent_request(relationship=relationship), envelope())
    assert ["INS", "N", code] in segments(text)


def test_se_count_includes_st_and_se() -> None:
    text = encode_270(request(), envelope())
    found = segments(text)
    st, se = tags(text).index("ST"), tags(text).index("SE")
    assert found[se] == ["SE", str(se - st + 1), "0031"]


def test_custom_separators_are_used_everywhere() -> None:
    env = envelope(element_separator="|", repetition_separator="}", component_separator=">",
                   segment_terminator="\n")
    text = encode_270(request(), env)
    assert text.startswith("ISA|00|")
    assert "EQ|30}MH}A8\n" in text
    assert "*" not in text and "~" not in text


def test_names_are_normalized_and_upper_cased() -> None:
    wide = replace(request().subscriber, first_name="ｊｏｈｎ", last_name="o'neil")
    req = request(subscriber=wide)
    assert ["NM1", "IL", "1", "O'NEIL", "JOHN", "", "", "", "MI", "ABC123456"] in segments(
        encode_270(req, envelope())
    )


def test_a_subscriber_searched_by_member_id_alone_is_sent_without_a_name() -> None:
    """As the TR3's example 2A writes it: NM1*IL*1******MI*<id>, NM103-NM107 empty."""
    nameless = replace(request().subscriber, first_name="", last_name="")
    sent = segments(encode_270(request(subscriber=nameless), envelope()))
    assert ["NM1", "IL", "1", "", "", "", "", "", "MI", "ABC123456"] in sent


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subscriber": Person("", "", request().subscriber.date_of_birth)},
         "subscriber.last_name"),  # no name needs a member id
        ({"subscriber": Person("JOHN", "DOE*SMITH", request().subscriber.date_of_birth)},
         "subscriber.last_name"),
        ({"subscriber": replace(request().subscriber, member_id="AB~12")}, "subscriber.member_id"),
        ({"subscriber": replace(request().subscriber, member_id="AB＾12")}, "subscriber.member_id"),
        ({"subscriber": replace(request().subscriber, first_name="JO\u0000HN")},
         "subscriber.first_name"),
        ({"group_number": "G:1"}, "group_number"),
        ({"payer_id": "MOCK|PAYER"}, "payer_id"),
        ({"trace_number": "T>1"}, "trace_number"),
        ({"provider": Provider(npi="12345", organization_name="HOPE")}, "provider.npi"),
        ({"provider": Provider(npi="1234567893", organization_name="HOPE~CENTER")},
         "provider.organization_name"),
        ({"service_types": ("30", "ZZ")}, "service_types[1]"),
        ({"service_types": ()}, "service_types"),
        ({"procedure": ProcedureCode("NU", "0905")}, "procedure.qualifier"),
        ({"subscriber": replace(request().subscriber, gender="X")}, "subscriber.gender"),
    ],
)
def test_unsafe_input_is_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(X12InputError) as raised:
        encode_270(request(**change), envelope())
    assert raised.value.field == field


def test_refusal_message_never_carries_the_value() -> None:
    req = request(subscriber=replace(request().subscriber, member_id="SECRET~42"))
    with pytest.raises(X12InputError) as raised:
        encode_270(req, envelope())
    assert "SECRET" not in str(raised.value)


def test_dependent_with_self_relationship_is_refused() -> None:
    with pytest.raises(X12InputError) as raised:
        encode_270(dependent_request(relationship=Relationship.SELF), envelope())
    assert raised.value.field == "relationship"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"interchange_control_number": 0}, "envelope.interchange_control_number"),
        ({"group_control_number": 10**9}, "envelope.group_control_number"),
        ({"usage_indicator": "X"}, "envelope.usage_indicator"),
        ({"element_separator": "-"}, "envelope.element_separator"),
        ({"component_separator": "*"}, "envelope.element_separator"),
        ({"sender_id": "A" * 16}, "envelope.sender_id"),
    ],
)
def test_bad_envelope_values_are_refused_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    with pytest.raises(X12InputError) as raised:
        encode_270(request(), envelope(**change))
    assert raised.value.field == field

"""Properties: accepted input gives exactly the intended 270; anything else fails cleanly."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time

import x12 as ansi_x12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.domain import EligibilityRequest, Person, Provider, Relationship
from verifier.x12 import codes
from verifier.x12.charset import X12InputError
from verifier.x12.encoder import encode_270
from verifier.x12.errors import X12ParseError
from verifier.x12.inquiry import read_270
from verifier.x12.reader import read_271

from .builders import envelope, request
from .conftest import RESPONSES, fixture_bytes

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
names = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(LETTERS),
    st.text(alphabet=LETTERS + " '-.,", max_size=20),
).map(lambda s: " ".join(s.split(" ")).strip()).filter(lambda s: s and "  " not in s)
identifiers = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(LETTERS + "0123456789"),
    st.text(alphabet=LETTERS + "0123456789-", max_size=20),
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
people = st.builds(Person, first_name=names, last_name=names, date_of_birth=dates,
                   member_id=st.none() | identifiers, middle_name=st.none() | names,
                   gender=st.none() | st.sampled_from(["M", "F", "U"]))
services = st.lists(st.sampled_from(sorted(codes.SERVICE_TYPES)), min_size=1, max_size=5)


@st.composite
def requests(draw: st.DrawFn) -> EligibilityRequest:
    dependent = draw(st.none() | people.map(lambda p: Person(
        p.first_name, p.last_name, p.date_of_birth, None, p.middle_name, p.gender)))
    relationship = (Relationship.SELF if dependent is None else
                    draw(st.sampled_from([Relationship.SPOUSE, Relationship.CHILD,
                                          Relationship.OTHER])))
    return EligibilityRequest(
        payer_id=draw(identifiers), payer_name=draw(names),
        provider=Provider(npi=draw(st.from_regex(r"\A[0-9]{10}\Z")),
                          organization_name=draw(names)),
        subscriber=draw(people), service_date=draw(dates), trace_number=draw(identifiers),
        dependent=dependent, relationship=relationship,
        service_types=tuple(draw(services)), group_number=draw(st.none() | identifiers),
    )


def expected_tags(req: EligibilityRequest) -> list[str]:
    subscriber = ["NM1", *(["REF"] if req.group_number else []), "DMG"]
    head = ["ST", "BHT", "HL", "NM1", "HL", "NM1", "HL"]
    if req.dependent is None:
        return [*head, "TRN", *subscriber, "DTP", "EQ", "SE"]
    return [*head, *subscriber, "HL", "TRN", "NM1", "DMG", "INS", "DTP", "EQ", "SE"]


@FAST
@given(requests())
def test_accepted_request_gives_exactly_the_intended_segments(req: EligibilityRequest) -> None:
    text = encode_270(req, envelope())
    segments = [s.split("*") for s in text.split("~") if s]
    body = [s[0] for s in segments[2:-2]]
    assert body == expected_tags(req)
    assert segments[-3] == ["SE", str(len(body)), segments[2][2]]
    assert segments[-2][2] == segments[1][6]  # GE02 = GS06
    assert segments[-1][2] == segments[0][13]  # IEA02 = ISA13
    assert read_270(text).to_request().subscriber.date_of_birth == req.subscriber.date_of_birth


@FAST
@given(requests())
def test_accepted_request_passes_the_ansi_x12_envelope_checks(req: EligibilityRequest) -> None:
    interchange = ansi_x12.parse_x12_interchange(
        ansi_x12.tokenize_x12(encode_270(req, envelope()).encode())
    )
    assert interchange.declared_group_count == interchange.actual_group_count == 1
    [group] = interchange.groups
    [transaction] = group.transactions
    assert transaction.declared_segment_count == transaction.actual_segment_count


FORBIDDEN = "*~:^|>}\x00\x07\n\r\t＊～：＾"


@FAST
@given(
    field=st.sampled_from(["subscriber.last_name", "subscriber.first_name",
                           "subscriber.member_id", "payer_id", "payer_name", "trace_number",
                           "group_number", "provider.organization_name"]),
    bad=st.sampled_from(FORBIDDEN),
    position=st.integers(min_value=0, max_value=3),
)
def test_refused_input_raises_naming_the_field(field: str, bad: str, position: int) -> None:
    req = request()
    owner, _, attribute = field.rpartition(".")
    target = getattr(req, owner) if owner else req
    original = getattr(target, attribute)
    spoiled = original[:position] + bad + original[position:]
    from dataclasses import replace

    req = replace(req, **{owner: replace(target, **{attribute: spoiled})}) if owner else replace(
        req, **{attribute: spoiled})
    try:
        encode_270(req, envelope())
    except X12InputError as error:
        assert error.field == field
    else:
        raise AssertionError(f"{field} accepted a forbidden character")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=600))
def test_reader_raises_only_x12_parse_error_on_arbitrary_input(data: bytes | str) -> None:
    with contextlib.suppress(X12ParseError):
        read_271(data)


VALID_ISA = fixture_bytes("lfh-subscriber-health-benefit-check.271.x12")[:106]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=800))
def test_valid_isa_followed_by_garbage_raises_only_x12_parse_error(tail: bytes) -> None:
    with contextlib.suppress(X12ParseError):
        read_271(VALID_ISA + tail)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(RESPONSES), st.data())
def test_corrupted_corpus_files_raise_only_x12_parse_error(name: str, data: st.DataObject) -> None:
    original = bytearray(fixture_bytes(name))
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        index = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
        original[index] = data.draw(st.sampled_from(b"*|~^:}>\r\nA0 \x00"))
    with contextlib.suppress(X12ParseError):
        read_271(bytes(original))


def test_one_megabyte_of_garbage_fails_well_under_a_second() -> None:
    # A linearity guard with a wide margin, not a benchmark (see bench/x12_read.py). CPU time
    # of this process, so a machine busy with other work does not fail it.
    rng = random.Random(1)
    garbage = bytes(rng.getrandbits(8) for _ in range(1 << 20))
    cases = [garbage, VALID_ISA + garbage,
             VALID_ISA + b"~".join(b"EB*" + bytes([65 + i % 26]) for i in range(120_000))]
    for data in cases:
        started = time.process_time()
        with contextlib.suppress(X12ParseError):
            read_271(data)
        assert time.process_time() - started < 1.0

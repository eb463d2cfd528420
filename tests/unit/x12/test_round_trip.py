"""What we write reads back: encode_270 -> read_270, build_271 -> read_271."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from verifier.domain import (
    Benefit,
    DateInfo,
    DeliveryLimit,
    EligibilityResult,
    MemberResult,
    Party,
    ProcedureCode,
    Reference,
    RelatedEntity,
    Trace,
)
from verifier.x12.builder import build_271
from verifier.x12.charset import X12InputError
from verifier.x12.codes import aaa_error
from verifier.x12.encoder import encode_270
from verifier.x12.inquiry import read_270
from verifier.x12.reader import read_271

from .builders import dependent_request, envelope, request
from .conftest import RESPONSES, fixture_bytes


def test_270_reads_back_as_the_same_request() -> None:
    assert read_270(encode_270(request(), envelope())).to_request() == request()


def test_dependent_270_reads_back_as_the_same_request() -> None:
    req = dependent_request()
    assert read_270(encode_270(req, envelope())).to_request() == req


def test_procedure_270_reads_back_with_its_modifiers() -> None:
    req = request(procedure=ProcedureCode("HC", "H0015", ("HF", "U1")))
    assert read_270(encode_270(req, envelope())).to_request() == req


def test_270_envelope_facts_read_back() -> None:
    inquiry = read_270(encode_270(request(), envelope()))
    assert (inquiry.control_number, inquiry.interchange_control_number) == ("0031", "000000017")
    assert (inquiry.sender_id, inquiry.receiver_id) == ("VERIFIER", "MOCKPAYER")
    assert inquiry.version == "005010X279A1"
    assert inquiry.warnings == []


def rich_result() -> EligibilityResult:
    entity = RelatedEntity(
        entity_code="X3", name="BH CARVE OUT ADMIN", id_qualifier="PI", identifier="BH123",
        address_lines=("PO BOX 1",), city="AUSTIN", state="TX", postal_code="78701",
        provider_code="HH", provider_id_qualifier="9K", provider_id="99",
    )
    iop = Benefit(
        info="F", coverage_level="IND", service_types=("A8", "CH"), insurance_type="PR",
        plan_description="GOLD PPO", time_period="23", amount=None, percent=None,
        quantity_qualifier="VS", quantity=Decimal("30"), authorization_required="Y",
        in_plan_network="Y", procedure=ProcedureCode("HC", "S9480"),
        delivery_limits=(DeliveryLimit("VS", Decimal("30"), None, None, "22", Decimal("1")),),
        references=(Reference("G1", "AUTH-1"),),
        dates=(DateInfo("348", dt.date(2026, 1, 1), None, "20260101"),),
        errors=(aaa_error("2110C", "Y", "53", "C"),),
        messages=("PRECERT REQUIRED, CALL 800-555-0100",),
        related_entities=(entity,),
    )
    copay = Benefit(info="B", coverage_level="IND", service_types=("MH",), time_period="27",
                    amount=Decimal("30.00"), in_plan_network="N")
    member = MemberResult(
        loop="2100C", first_name="JOHN", last_name="DOE", member_id="ABC123456",
        date_of_birth=dt.date(1970, 1, 1), gender="M", relationship_code="18",
        traces=(Trace("2", "VER-0001-1", "9VERIFIER"), Trace("1", "PAYER-9", "1999999999")),
        references=(Reference("6P", "GRP-77", "ACME"),),
        dates=(DateInfo("346", dt.date(2026, 1, 1), None, "20260101"),
               DateInfo("291", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "20260101-20261231")),
        benefits=(iop, copay), address_lines=("1 MAIN ST", "APT 2"), city="AUSTIN", state="TX",
        postal_code="78701",
    )
    return EligibilityResult(
        payer=Party(name="MOCK PAYER INC", id_qualifier="PI", identifier="MOCKPAYER"),
        provider=Party(name="HOPE RECOVERY CENTER", id_qualifier="XX", identifier="1234567893"),
        subscriber=member,
    )


def comparable(result: EligibilityResult) -> EligibilityResult:
    """The fields a 271 carries: envelope facts and warnings are the reader's own."""
    return replace(result, version=None, control_number=None, interchange_control_number=None,
                   warnings=())


def test_built_271_reads_back_as_the_same_result() -> None:
    text = build_271(request(), rich_result(), envelope())
    assert comparable(read_271(text)) == rich_result()


def test_built_271_reads_back_without_warnings() -> None:
    back = read_271(build_271(request(), rich_result(), envelope()))
    assert back.warnings == ()
    assert back.version == "005010X279A1"


def test_built_271_echoes_the_request_trace_when_the_result_has_none() -> None:
    result = replace(rich_result(), subscriber=replace(rich_result().subscriber, traces=()))
    back = read_271(build_271(request(), result, envelope()))
    assert back.traces == (Trace("2", "VER-0001-1", "9VERIFIER"),)


def test_dependent_271_round_trips_with_echo_in_the_dependent_loop() -> None:
    dependent = MemberResult(loop="2100D", first_name="JANE", last_name="DOE",
                             date_of_birth=dt.date(2010, 6, 15), gender="F",
                             relationship_code="19",
                             benefits=(Benefit(info="1", service_types=("30",)),))
    subscriber = MemberResult(loop="2100C", last_name="DOE", first_name="JOHN",
                              member_id="ABC123456")
    result = EligibilityResult(payer=rich_result().payer, provider=rich_result().provider,
                               subscriber=subscriber, dependent=dependent)
    back = read_271(build_271(dependent_request(), result, envelope()))
    assert back.dependent is not None
    assert back.dependent.traces == (Trace("2", "VER-0001-1", "9VERIFIER"),)
    assert replace(back.dependent, traces=()) == dependent
    assert back.subscriber == subscriber


def test_payer_level_rejection_round_trips_in_its_loops() -> None:
    payer = Party(name="MOCK PAYER INC", id_qualifier="PI", identifier="MOCKPAYER",
                  errors=(aaa_error("2000A", "Y", "42", "R"), aaa_error("2100A", "Y", "80", "R")))
    result = EligibilityResult(payer=payer, provider=rich_result().provider)
    back = read_271(build_271(request(), result, envelope()))
    assert back.payer == payer
    assert back.subscriber is None
    assert all(error.retryable for error in back.errors)


@pytest.mark.parametrize("name", RESPONSES)
def test_every_corpus_271_survives_a_build_and_read(name: str) -> None:
    original = read_271(fixture_bytes(name))
    # One template (SC DHHS) has "PCAT: payment category" as a plan name: ":" must not separate.
    back = read_271(build_271(request(), original, envelope(component_separator=">")))
    assert back.patient is not None or original.patient is None
    if original.patient is not None and back.patient is not None:
        assert back.patient.benefits == original.patient.benefits
        assert back.patient.errors == original.patient.errors


def test_separator_in_a_message_is_refused_naming_the_field() -> None:
    member = replace(rich_result().subscriber,
                     benefits=(Benefit(info="1", messages=("COPAY ~ 20",)),))
    with pytest.raises(X12InputError) as raised:
        build_271(request(), replace(rich_result(), subscriber=member), envelope())
    assert raised.value.field == "result.subscriber.benefits[0].messages[0]"

"""271s (and 999/TA1s) built by our X12 builder for the 270 a test's adapter sent.

The fake reads the captured 270 with ``read_270`` (unwrapping a CORE SOAP envelope
first), so every answer really answers the inquiry: same trace number, same member.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Callable
from decimal import Decimal
from xml.sax.saxutils import escape

from tests.fakes.payer_server import Captured, Reply
from verifier.domain import (
    Benefit,
    EligibilityRequest,
    EligibilityResult,
    MemberResult,
    Party,
    RequestError,
)
from verifier.x12.aaa import aaa_error
from verifier.x12.builder import build_271, build_999_rejection, build_ta1_rejection
from verifier.x12.encoder import Envelope
from verifier.x12.inquiry import read_270

PATH = "/x12"
ResultFor = Callable[[EligibilityRequest], EligibilityResult]


def payload_of(captured: Captured) -> str:
    """The 270 inside the request body (raw, or the Payload of a CORE envelope)."""
    text = captured.text
    match = re.search(r"<(?:\w+:)?Payload>(.*?)</(?:\w+:)?Payload>", text, re.S)
    if match is None:
        return text
    return html.unescape(match.group(1))


def request_of(captured: Captured) -> EligibilityRequest:
    return read_270(payload_of(captured)).to_request()


def envelope(control: int = 1) -> Envelope:
    return Envelope(
        sender_id="FAKEPAYER",
        receiver_id="VERIFIER",
        interchange_control_number=control,
        group_control_number=control,
        transaction_control_number=control,
        created_at=dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC),
    )


def _member(request: EligibilityRequest, **changes: object) -> MemberResult:
    subscriber = request.subscriber
    member = MemberResult(
        loop="2100C",
        first_name=subscriber.first_name,
        last_name=subscriber.last_name,
        member_id=subscriber.member_id,
        date_of_birth=subscriber.date_of_birth,
    )
    return dataclasses.replace(member, **changes)  # type: ignore[arg-type]


def _parties(request: EligibilityRequest) -> tuple[Party, Party]:
    return (
        Party("FAKE HEALTH PLAN", "PI", request.payer_id),
        Party(request.provider.organization_name, "XX", request.provider.npi),
    )


BENEFITS = (
    Benefit("1", "IND", ("30", "MH", "A8"), insurance_type="PR", plan_description="FAKE PPO"),
    Benefit("B", "IND", ("MH", "A8"), time_period="27", amount=Decimal("30"), in_plan_network="Y"),
    Benefit("A", "IND", ("MH", "A8"), percent=Decimal("0.2"), in_plan_network="Y"),
)


def active(request: EligibilityRequest) -> EligibilityResult:
    payer, provider = _parties(request)
    return EligibilityResult(payer, provider, subscriber=_member(request, benefits=BENEFITS))


def with_benefit_error(request: EligibilityRequest) -> EligibilityResult:
    payer, provider = _parties(request)
    benefit = dataclasses.replace(BENEFITS[1], errors=(aaa_error("2110C", "Y", "53", "C"),))
    member = _member(request, benefits=(BENEFITS[0], benefit))
    return EligibilityResult(payer, provider, subscriber=member)


def rejected(loop: str, code: str, follow_up: str | None) -> ResultFor:
    """A 271 with one AAA at ``loop`` (2100A payer, 2100B provider, 2100C subscriber)."""

    def result(request: EligibilityRequest) -> EligibilityResult:
        payer, provider = _parties(request)
        error: RequestError = aaa_error(loop, "Y", code, follow_up)
        if loop == "2100A":
            return EligibilityResult(dataclasses.replace(payer, errors=(error,)), provider)
        if loop == "2100B":
            return EligibilityResult(payer, dataclasses.replace(provider, errors=(error,)))
        return EligibilityResult(payer, provider, subscriber=_member(request, errors=(error,)))

    return result


def other_member(request: EligibilityRequest) -> EligibilityResult:
    payer, provider = _parties(request)
    return EligibilityResult(
        payer, provider, subscriber=_member(request, member_id="ZZ999", benefits=BENEFITS)
    )


def soap_wrapped(payload: str, payload_type: str = "X12_271_Response_005010X279A1") -> str:
    return (
        '<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope">'
        "<soapenv:Body><ns1:COREEnvelopeRealTimeResponse "
        'xmlns:ns1="http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd">'
        f"<PayloadType>{payload_type}</PayloadType><ProcessingMode>RealTime</ProcessingMode>"
        "<PayloadID>f81d4fae-7dec-11d0-a765-00a0c91e6bf6</PayloadID>"
        "<TimeStamp>2026-03-02T12:00:00Z</TimeStamp><SenderID>FAKEPAYER</SenderID>"
        "<ReceiverID>VERIFIER</ReceiverID><CORERuleVersion>2.2.0</CORERuleVersion>"
        f"<Payload>{escape(payload)}</Payload>"
        "<ErrorCode>Success</ErrorCode><ErrorMessage>None</ErrorMessage>"
        "</ns1:COREEnvelopeRealTimeResponse></soapenv:Body></soapenv:Envelope>"
    )


def soap_error(code: str) -> str:
    return (
        '<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope">'
        "<soapenv:Body><COREEnvelopeRealTimeResponse>"
        "<PayloadType>CoreEnvelopeError</PayloadType>"
        f"<ErrorCode>{code}</ErrorCode><ErrorMessage>nope</ErrorMessage>"
        "</COREEnvelopeRealTimeResponse></soapenv:Body></soapenv:Envelope>"
    )


def _frame(text: str, framing: str) -> Reply:
    if framing == "core_soap":
        return Reply(200, soap_wrapped(text), content_type="application/soap+xml")
    return Reply(200, text, content_type="application/edi-x12")


def answer(
    result_for: ResultFor = active, framing: str = "raw", *, trace: str | None = None
) -> Callable[[Captured], Reply]:
    """A 271 for the captured 270; ``trace`` echoes another trace number than the one sent."""

    def reply(captured: Captured) -> Reply:
        request = request_of(captured)
        result = result_for(request)
        echoed = dataclasses.replace(request, trace_number=trace) if trace else request
        return _frame(build_271(echoed, result, envelope()), framing)

    return reply


def truncated(framing: str = "raw") -> Callable[[Captured], Reply]:
    def reply(captured: Captured) -> Reply:
        full = build_271(request_of(captured), active(request_of(captured)), envelope())
        return _frame(full[: len(full) // 3], framing)

    return reply


def rejected_999(framing: str = "raw") -> Callable[[Captured], Reply]:
    def reply(captured: Captured) -> Reply:
        inquiry = read_270(payload_of(captured))
        text = build_999_rejection(
            envelope(),
            int(inquiry.interchange_control_number or 1),
            inquiry.control_number or "0001",
            segment_errors=[("NM1", 8, "8")],
        )
        return _frame(text, framing)

    return reply


def rejected_ta1(framing: str = "raw") -> Callable[[Captured], Reply]:
    def reply(captured: Captured) -> Reply:
        inquiry = read_270(payload_of(captured))
        return _frame(
            build_ta1_rejection(envelope(), int(inquiry.interchange_control_number or 1)),
            framing,
        )

    return reply

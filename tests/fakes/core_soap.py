"""A fake CAQH CORE vC2.2.0 real-time SOAP endpoint (Office Ally style) on loopback.

Reproduces:

* CAQH CORE Connectivity Rule vC2.2.0 as its WSDL publishes it (Centene's CORE WS-Security
  WSDL, GitHub ``api-evangelist/centene`` @ de83817a, copied to
  ``tests/fixtures/published/core_soap``): SOAP 1.2, action ``RealTimeTransaction``,
  ``COREEnvelopeRealTimeRequest`` children in the published order, WS-Security
  UsernameToken, the response's ``PayloadType``/``Payload``/``ErrorCode``/``ErrorMessage``.
* Stedi's CORE SOAP page (https://www.stedi.com/blog/introducing-stedi-s-caqh-core-soap-endpoint-for-real-time-eligibility):
  the X12 is carried "in the Payload element as CDATA". This fake, like the endpoints the
  issue describes, sends that CDATA marker *escaped* (``&lt;![CDATA[ISA...]]&gt;``), so a
  reader sees the literal marker in the element's text.
* SOAP 1.2 Part 2 §7.5.2 (HTTP binding) faults: a Sender fault with HTTP 400, and an
  authentication failure (``wsse:FailedAuthentication``, WS-Security 1.1 §12) with HTTP 401.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from tests.fakes import x12_responses
from tests.fakes.payer_server import Captured, FakePayer, Reply
from verifier.x12.builder import build_271
from verifier.x12.inquiry import read_270

PATH = "/CORE/RealTime"
USERNAME = "officeally-user"
PASSWORD = "s3cr<et>&pw"  # a password XML must escape
SOAP = "http://www.w3.org/2003/05/soap-envelope"
CORE = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
ORDER = (
    "PayloadType",
    "ProcessingMode",
    "PayloadID",
    "TimeStamp",
    "SenderID",
    "ReceiverID",
    "CORERuleVersion",
    "Payload",
)


def fault(code: str, subcode: str, reason: str) -> str:
    return (
        f'<env:Envelope xmlns:env="{SOAP}" xmlns:wsse="{WSSE}"><env:Body><env:Fault>'
        f"<env:Code><env:Value>env:{code}</env:Value>"
        f"<env:Subcode><env:Value>{subcode}</env:Value></env:Subcode></env:Code>"
        f'<env:Reason><env:Text xml:lang="en">{reason}</env:Text></env:Reason>'
        "</env:Fault></env:Body></env:Envelope>"
    )


AUTH_FAULT = fault(
    "Sender", "wsse:FailedAuthentication", "The security token could not be authenticated"
)


def cdata_escaped(payload: str, payload_type: str = "X12_271_Response_005010X279A1") -> str:
    """The response envelope with the 271 as escaped text inside a literal CDATA marker."""
    marked = html.escape(f"<![CDATA[{payload}]]>", quote=False)
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>'
        f'<cor:COREEnvelopeRealTimeResponse xmlns:cor="{CORE}">'
        f"<PayloadType>{payload_type}</PayloadType><ProcessingMode>RealTime</ProcessingMode>"
        "<PayloadID>f81d4fae-7dec-11d0-a765-00a0c91e6bf6</PayloadID>"
        "<TimeStamp>2026-03-02T12:00:00Z</TimeStamp><SenderID>OFFALLY</SenderID>"
        "<ReceiverID>VERIFIER</ReceiverID><CORERuleVersion>2.2.0</CORERuleVersion>"
        f"<Payload>{marked}</Payload>"
        "<ErrorCode>Success</ErrorCode><ErrorMessage></ErrorMessage>"
        "</cor:COREEnvelopeRealTimeResponse></soapenv:Body></soapenv:Envelope>"
    )


def _text(body: str, name: str) -> str | None:
    match = re.search(rf"<(?:\w+:)?{name}(?:\s[^>]*)?>(.*?)</(?:\w+:)?{name}>", body, re.S)
    return html.unescape(match.group(1)) if match else None


def core_endpoint(
    username: str = USERNAME, password: str = PASSWORD
) -> Callable[[Captured], Reply]:
    """The endpoint's behaviour: authenticate, check the envelope, answer the 270."""

    def reply(captured: Captured) -> Reply:
        body = captured.text
        soap = "application/soap+xml"
        if _text(body, "Username") != username or _text(body, "Password") != password:
            return Reply(401, AUTH_FAULT, content_type=soap)
        positions = [body.find(f"<{name}>") for name in ORDER]
        if -1 in positions or positions != sorted(positions):
            return Reply(
                400,
                fault("Sender", "cor:InvalidEnvelope", "COREEnvelopeRealTimeRequest is invalid"),
                content_type=soap,
            )
        inquiry = read_270(_text(body, "Payload") or "")
        request = inquiry.to_request()
        answer = build_271(request, x12_responses.active(request), x12_responses.envelope())
        return Reply(200, cdata_escaped(answer), content_type=soap)

    return reply


def serve() -> FakePayer:
    return FakePayer().on(PATH, Reply(body=core_endpoint()))

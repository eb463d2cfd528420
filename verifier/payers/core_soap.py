"""The CAQH CORE connectivity SOAP envelope (real-time) around an X12 payload.

Requests are built with ``xml.etree`` (which escapes the payload); responses are parsed
with ``defusedxml``, which refuses DTDs, entity expansion (billion laughs) and external
entities (XXE), since the body comes from outside. Elements are found by local name: payers
differ in the prefixes and in whether CORE's child elements are namespace-qualified.

PayloadType strings follow the CORE rule tables as widely published
(``X12_270_Request_005010X279A1``); x12-reference.md §9 marks them unverified against the
licensed rule text, so they are directory options.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
CORE_NS = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSSE_TEXT_TYPE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
REQUEST_PAYLOAD_TYPE = "X12_270_Request_005010X279A1"
CONTENT_TYPE = 'application/soap+xml; charset=utf-8; action="RealTimeTransaction"'
REDACTED = "********"


class SoapError(ValueError):
    """The body is not a CORE envelope we can read. The message holds no payload text."""


@dataclass(frozen=True)
class CoreRequest:
    payload: str
    sender_id: str
    receiver_id: str
    payload_type: str = REQUEST_PAYLOAD_TYPE
    rule_version: str = "2.2.0"
    payload_id: str = ""
    timestamp: str = ""


@dataclass(frozen=True)
class CoreResponse:
    payload_type: str | None
    payload: str | None
    error_code: str | None
    error_message: str | None
    payload_id: str | None
    fault: str | None = None


def new_payload_id() -> str:
    return str(uuid.uuid4())


def timestamp(now: dt.datetime | None = None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_request(
    request: CoreRequest, *, username: str | None = None, password: str | None = None
) -> str:
    """The SOAP 1.2 envelope; WS-Security UsernameToken when a username is given."""
    ElementTree.register_namespace("soapenv", SOAP12)
    ElementTree.register_namespace("cor", CORE_NS)
    ElementTree.register_namespace("wsse", WSSE)
    envelope = ElementTree.Element(f"{{{SOAP12}}}Envelope")
    header = ElementTree.SubElement(envelope, f"{{{SOAP12}}}Header")
    if username is not None:
        security = ElementTree.SubElement(header, f"{{{WSSE}}}Security")
        token = ElementTree.SubElement(security, f"{{{WSSE}}}UsernameToken")
        ElementTree.SubElement(token, f"{{{WSSE}}}Username").text = username
        secret = ElementTree.SubElement(token, f"{{{WSSE}}}Password", Type=WSSE_TEXT_TYPE)
        secret.text = password or ""
    body = ElementTree.SubElement(envelope, f"{{{SOAP12}}}Body")
    core = ElementTree.SubElement(body, f"{{{CORE_NS}}}COREEnvelopeRealTimeRequest")
    for name, value in (
        ("PayloadType", request.payload_type),
        ("ProcessingMode", "RealTime"),
        ("PayloadID", request.payload_id or new_payload_id()),
        ("TimeStamp", request.timestamp or timestamp()),
        ("SenderID", request.sender_id),
        ("ReceiverID", request.receiver_id),
        ("CORERuleVersion", request.rule_version),
        ("Payload", request.payload),
    ):
        ElementTree.SubElement(core, name).text = value
    return ElementTree.tostring(envelope, encoding="unicode", xml_declaration=False)


def redact(envelope: str, password: str | None) -> str:
    """The envelope as kept for staff: the password is never stored, even sealed."""
    if not password:
        return envelope
    escaped = password.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return envelope.replace(f">{escaped}<", f">{REDACTED}<")


CDATA_OPEN = "<![CDATA["
CDATA_CLOSE = "]]>"


def unwrap_cdata(payload: str | None) -> str | None:
    """The X12 inside a Payload sent as escaped text around a literal CDATA marker.

    CORE's examples put the 271 in ``<![CDATA[...]]>``; some endpoints escape the marker
    itself (``&lt;![CDATA[ISA...]]&gt;``), so after XML parsing the text still starts with
    ``<![CDATA[``. A real CDATA section has already been unwrapped by the parser.
    """
    if payload is None:
        return None
    text = payload.strip()
    if text.startswith(CDATA_OPEN) and text.endswith(CDATA_CLOSE):
        return text[len(CDATA_OPEN) : -len(CDATA_CLOSE)]
    return payload


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_response(body: bytes) -> CoreResponse:
    """Read a COREEnvelopeRealTimeResponse or a SOAP Fault."""
    try:
        root = SafeElementTree.fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise SoapError("SOAP response uses forbidden XML constructs (DTD/entities)") from None
    except ElementTree.ParseError:
        raise SoapError("SOAP response is not well-formed XML") from None
    if _local(root.tag) != "Envelope":
        raise SoapError("SOAP response has no Envelope")
    found: dict[str, str | None] = {}
    fault: str | None = None
    for element in root.iter():
        name = _local(element.tag)
        if name == "Fault":
            texts = [t.strip() for t in element.itertext() if t.strip()]
            fault = " ".join(texts)[:200] or "SOAP fault"
        elif name in {"PayloadType", "Payload", "ErrorCode", "ErrorMessage", "PayloadID"}:
            found.setdefault(name, element.text)
    if fault is None and "PayloadType" not in found and "ErrorCode" not in found:
        raise SoapError("SOAP response has no CORE real-time response")
    return CoreResponse(
        payload_type=found.get("PayloadType"),
        payload=unwrap_cdata(found.get("Payload")),
        error_code=(found.get("ErrorCode") or "").strip() or None,
        error_message=found.get("ErrorMessage"),
        payload_id=found.get("PayloadID"),
        fault=fault,
    )

"""Read a 270 inquiry: what fake payer servers and the sandbox need to answer one.

A 270 may omit what an EligibilityRequest requires (the TR3 dependent example sends the
subscriber as an id only), so ``read_270`` returns an ``Inquiry`` with optional fields, and
``Inquiry.to_request()`` refuses, by field name, when something required is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from verifier.domain import (
    DateInfo,
    EligibilityRequest,
    Person,
    ProcedureCode,
    Provider,
    Reference,
    Relationship,
    Trace,
)
from verifier.x12 import values
from verifier.x12.envelope import TransactionSet, parse_interchange
from verifier.x12.errors import X12ParseError

__all__ = ["Inquiry", "InquiryMember", "read_270"]

_RELATIONSHIPS = {"01": Relationship.SPOUSE, "19": Relationship.CHILD}
_SERVICE_DATE_QUALIFIERS = ("291", "472", "307")
T = TypeVar("T")


@dataclass(slots=True)
class InquiryMember:
    """A 2100C subscriber or 2100D dependent as the 270 names them."""

    loop: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    member_id: str | None = None
    date_of_birth: dt.date | None = None
    gender: str | None = None
    relationship_code: str | None = None
    references: list[Reference] = field(default_factory=list)
    traces: list[Trace] = field(default_factory=list)
    dates: list[DateInfo] = field(default_factory=list)
    service_types: list[str] = field(default_factory=list)
    procedure: ProcedureCode | None = None

    def person(self, where: str) -> Person:
        return Person(
            first_name=self.first_name or "",  # left out by the TR3's alternate searches
            # No name with a member id: the TR3's own example 2A writes NM1*IL*1******MI*...
            last_name=self.last_name
            or ("" if self.member_id else _need(None, f"{where} last name")),
            date_of_birth=_need(self.date_of_birth, f"{where} date of birth"),
            member_id=self.member_id,
            middle_name=self.middle_name,
            gender=self.gender,
        )


@dataclass(slots=True)
class Inquiry:
    """One 270 transaction, read tolerantly."""

    payer_name: str | None = None
    payer_id: str | None = None
    provider_name: str | None = None
    provider_id_qualifier: str | None = None
    provider_id: str | None = None
    subscriber: InquiryMember | None = None
    dependent: InquiryMember | None = None
    version: str | None = None
    control_number: str | None = None
    interchange_control_number: str | None = None
    sender_id: str | None = None
    receiver_id: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def patient(self) -> InquiryMember | None:
        return self.dependent if self.dependent is not None else self.subscriber

    @property
    def trace_number(self) -> str | None:
        for member in (self.patient, self.subscriber):
            if member is not None:
                for trace in member.traces:
                    if trace.trace_type == "1":
                        return trace.number
        return None

    @property
    def service_date(self) -> dt.date | None:
        patient = self.patient
        if patient is None:
            return None
        for qualifier in _SERVICE_DATE_QUALIFIERS:
            for date in patient.dates:
                if date.qualifier == qualifier and date.start is not None:
                    return date.start
        return None

    def to_request(self) -> EligibilityRequest:
        """The EligibilityRequest this 270 asks about; X12ParseError names what is missing."""
        subscriber = _need(self.subscriber, "subscriber loop")
        patient = self.dependent if self.dependent is not None else subscriber
        relationship = Relationship.SELF
        if self.dependent is not None:
            relationship = _RELATIONSHIPS.get(self.dependent.relationship_code or "",
                                              Relationship.OTHER)
        group = next((r.value for r in subscriber.references if r.qualifier == "6P"), None)
        return EligibilityRequest(
            payer_id=_need(self.payer_id, "payer id"),
            payer_name=_need(self.payer_name, "payer name"),
            provider=Provider(npi=_need(self.provider_id, "provider NPI"),
                              organization_name=_need(self.provider_name, "provider name")),
            subscriber=subscriber.person("subscriber"),
            service_date=_need(self.service_date, "service date"),
            trace_number=_need(self.trace_number, "trace number"),
            dependent=self.dependent.person("dependent") if self.dependent is not None else None,
            relationship=relationship,
            service_types=tuple(patient.service_types),
            procedure=patient.procedure,
            group_number=group,
        )


def _need(value: T | None, what: str) -> T:
    if value is None or value == "":
        raise X12ParseError(f"270 has no {what}")
    return value


def _v(segment: list[str], index: int) -> str | None:
    if index < len(segment):
        value = segment[index].strip()
        return value or None
    return None


def read_270(data: bytes | str) -> Inquiry:
    """The first 270 of the interchange; X12ParseError when there is none."""
    interchange = parse_interchange(data)
    transaction = next((t for t in interchange.transactions if t.set_id == "270"), None)
    if transaction is None:
        raise X12ParseError("the interchange holds no 270 eligibility inquiry")
    inquiry = Inquiry(
        version=transaction.version,
        control_number=transaction.control_number or None,
        interchange_control_number=interchange.control_number or None,
        sender_id=interchange.sender_id or None,
        receiver_id=interchange.receiver_id or None,
        warnings=[*interchange.warnings, *transaction.warnings],
    )
    _walk(inquiry, transaction, interchange.separators.repetition,
          interchange.separators.component)
    return inquiry


def _walk(inquiry: Inquiry, transaction: TransactionSet, repetition: str | None,
          component: str) -> None:
    level = ""
    member: InquiryMember | None = None
    for segment in transaction.segments[1:]:
        tag = segment[0].strip()
        if tag == "HL":
            level = _v(segment, 3) or ""
            member = None
            if level == "22" and inquiry.subscriber is None:
                member = inquiry.subscriber = InquiryMember("2100C")
            elif level == "23" and inquiry.dependent is None:
                member = inquiry.dependent = InquiryMember("2100D")
        elif tag == "NM1":
            if level == "20":
                inquiry.payer_name, inquiry.payer_id = _v(segment, 3), _v(segment, 9)
            elif level == "21":
                inquiry.provider_name = _v(segment, 3)
                inquiry.provider_id_qualifier = _v(segment, 8)
                inquiry.provider_id = _v(segment, 9)
            elif member is not None:
                member.last_name, member.first_name = _v(segment, 3), _v(segment, 4)
                member.middle_name, member.member_id = _v(segment, 5), _v(segment, 9)
        elif member is not None:
            _member_segment(member, tag, segment, repetition, component)


def _member_segment(member: InquiryMember, tag: str, segment: list[str],
                    repetition: str | None, component: str) -> None:
    if tag == "TRN":
        member.traces.append(Trace(trace_type=_v(segment, 1) or "", number=_v(segment, 2) or "",
                                   originator=_v(segment, 3), secondary=_v(segment, 4)))
    elif tag == "REF":
        member.references.append(Reference(qualifier=_v(segment, 1) or "",
                                           value=_v(segment, 2) or "",
                                           description=_v(segment, 3)))
    elif tag == "DMG":
        member.date_of_birth = values.date(_v(segment, 2) or "")
        member.gender = _v(segment, 3)
    elif tag == "INS":
        member.relationship_code = _v(segment, 2)
    elif tag == "DTP":
        raw = _v(segment, 3) or ""
        start, end = values.period(_v(segment, 2) or "", raw)
        member.dates.append(DateInfo(qualifier=_v(segment, 1) or "", start=start, end=end,
                                     raw=raw))
    elif tag == "EQ":
        service = _v(segment, 1)
        if service:
            parts = service.split(repetition) if repetition else [service]
            member.service_types.extend(p.strip() for p in parts if p.strip())
        composite = _v(segment, 2)
        if composite:
            pieces = [p.strip() for p in composite.split(component)]
            member.procedure = ProcedureCode(
                qualifier=pieces[0], code=pieces[1] if len(pieces) > 1 else "",
                modifiers=tuple(p for p in pieces[2:6] if p),
            )

"""Write an EligibilityResult as a 5010 271, and 999/TA1 rejections, for our own payers.

The sandbox payer and the fake payer servers answer in real X12 so that every check goes
through the same reader as a real payer's answer; ``read_271(build_271(...))`` round-trips.
Values from the result come first, the request fills what the result leaves empty. Text is
checked, not cleaned: a separator in a plan name is refused by field name.

The patient's loop always echoes the request's trace (TRN*2) unless the result already
carries that echo.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from verifier.domain import (
    Benefit,
    Contact,
    DateInfo,
    DeliveryLimit,
    EligibilityRequest,
    EligibilityResult,
    MemberResult,
    Party,
    Person,
    RelatedEntity,
    RequestError,
    Trace,
)
from verifier.x12.charset import X12InputError, clean_text
from verifier.x12.encoder import VERSION_5010
from verifier.x12.values import format_decimal
from verifier.x12.writer import (
    CheckedEnvelope,
    Envelope,
    Segment,
    check_envelope,
    render,
    render_without_group,
)

__all__ = ["build_271", "build_999_rejection", "build_ta1_rejection"]

ACK_VERSION = "005010X231A1"


class _Text:
    """Checks every value against the envelope's separators, naming the field."""

    def __init__(self, checked: CheckedEnvelope) -> None:
        self.forbidden = checked.forbidden

    def __call__(self, value: str | None, field: str) -> str:
        if value is None or value == "":
            return ""
        return clean_text(value, field, self.forbidden)

    def number(self, value: Decimal | None, field: str) -> str:
        if value is None:
            return ""
        if not value.is_finite():
            raise X12InputError(field, "must be a finite number")
        return format_decimal(value)


def build_271(request: EligibilityRequest, result: EligibilityResult, envelope: Envelope) -> str:
    """A complete interchange holding one 271 that answers ``request`` with ``result``."""
    checked = check_envelope(envelope)
    text = _Text(checked)
    sep = checked.envelope
    body: list[Segment] = [["BHT", "0022", "11", text(request.trace_number, "trace_number"),
                            envelope.created_at.strftime("%Y%m%d"),
                            envelope.created_at.strftime("%H%M")]]
    subscriber = result.subscriber
    if subscriber is None and result.dependent is not None:
        subscriber = _member_from(request.subscriber, "2100C", "18")
    body += [["HL", "1", "", "20", "1"]]
    body += _party(text, result.payer, "result.payer", "PR", request.payer_name, "PI",
                   request.payer_id, "2000A")
    body += [["HL", "2", "1", "21", "1" if subscriber is not None else "0"]]
    provider = result.provider or Party()
    body += _party(text, provider, "result.provider", "1P", request.provider.organization_name,
                   "XX", request.provider.npi, "2000B")
    if subscriber is not None:
        patient_is_subscriber = result.dependent is None
        echo = _echo(request, checked) if patient_is_subscriber else None
        body += [["HL", "3", "2", "22", "0" if patient_is_subscriber else "1"]]
        body += _member(text, sep, subscriber, "result.subscriber", "IL", echo)
    if result.dependent is not None:
        body += [["HL", "4", "3", "23", "0"]]
        body += _member(text, sep, result.dependent, "result.dependent", "03",
                        _echo(request, checked))
    return render(checked, functional_id="HB", version=VERSION_5010, set_id="271", body=body)


def _member_from(person: Person, loop: str, relationship: str) -> MemberResult:
    return MemberResult(loop=loop, first_name=person.first_name, last_name=person.last_name,
                        member_id=person.member_id, date_of_birth=person.date_of_birth,
                        relationship_code=relationship)


def _echo(request: EligibilityRequest, checked: CheckedEnvelope) -> Trace:
    return Trace(trace_type="2", number=request.trace_number, originator=checked.originator)


def _aaa(errors: Sequence[RequestError], text: _Text, field: str) -> list[Segment]:
    return [
        ["AAA", "Y" if error.valid_request else "N", "",
         text(error.reject_code, f"{field}[{i}].reject_code"),
         text(error.follow_up, f"{field}[{i}].follow_up")]
        for i, error in enumerate(errors)
    ]


def _contacts(contacts: Sequence[Contact], text: _Text, field: str) -> list[Segment]:
    segments = []
    for i, contact in enumerate(contacts):
        segment = ["PER", text(contact.function_code or "IC", f"{field}[{i}].function_code"),
                   text(contact.name, f"{field}[{i}].name")]
        for j, (qualifier, number) in enumerate(contact.communications[:3]):
            segment += [text(qualifier, f"{field}[{i}].communications[{j}]"),
                        text(number, f"{field}[{i}].communications[{j}]")]
        segments.append(segment)
    return segments


def _party(text: _Text, party: Party, field: str, code: str, name: str, qualifier: str,
           identifier: str, header_loop: str) -> list[Segment]:
    early = [e for e in party.errors if e.loop == header_loop]
    late = [e for e in party.errors if e.loop != header_loop]
    return [
        *_aaa(early, text, f"{field}.errors"),
        ["NM1", code, "2", text(party.name or name, f"{field}.name"), "", "", "", "",
         text(party.id_qualifier or qualifier, f"{field}.id_qualifier"),
         text(party.identifier or identifier, f"{field}.identifier")],
        *_contacts(party.contacts, text, f"{field}.contacts"),
        *_aaa(late, text, f"{field}.errors"),
    ]


def _trace(trace: Trace, text: _Text, field: str) -> Segment:
    return ["TRN", text(trace.trace_type, f"{field}.trace_type"),
            text(trace.number, f"{field}.number"), text(trace.originator, f"{field}.originator"),
            text(trace.secondary, f"{field}.secondary")]


def _date(date: DateInfo, text: _Text, field: str) -> Segment:
    qualifier = text(date.qualifier, f"{field}.qualifier")
    if date.start is not None and date.end is not None:
        value = f"{date.start:%Y%m%d}-{date.end:%Y%m%d}"
        return ["DTP", qualifier, "RD8", value]
    if date.start is not None:
        return ["DTP", qualifier, "D8", f"{date.start:%Y%m%d}"]
    if date.raw:  # a payer's unreadable date is passed on as it came, not invented
        return ["DTP", qualifier, "D8", text(date.raw, f"{field}.raw")]
    raise X12InputError(f"{field}.start", "must be a date")


def _address(lines: Sequence[str], city: str | None, state: str | None, postal: str | None,
             text: _Text, field: str) -> list[Segment]:
    segments = []
    if lines:
        segments.append(["N3", *(text(line, f"{field}.address_lines[{i}]")
                                 for i, line in enumerate(lines[:2]))])
    if city or state or postal:
        segments.append(["N4", text(city, f"{field}.city"), text(state, f"{field}.state"),
                         text(postal, f"{field}.postal_code")])
    return segments


def _member(text: _Text, sep: Envelope, member: MemberResult, field: str, code: str,
            echo: Trace | None) -> list[Segment]:
    traces = list(member.traces)
    if echo is not None and not any(
        t.trace_type == "2" and t.number == echo.number for t in traces
    ):
        traces.insert(0, echo)
    segments = [_trace(t, text, f"{field}.traces[{i}]") for i, t in enumerate(traces)]
    nm1 = ["NM1", code, "1", text(member.last_name, f"{field}.last_name"),
           text(member.first_name, f"{field}.first_name"),
           text(member.middle_name, f"{field}.middle_name"), "", ""]
    if member.member_id:
        nm1 += ["MI", text(member.member_id, f"{field}.member_id")]
    segments.append(nm1)
    segments += [["REF", text(r.qualifier, f"{field}.references[{i}].qualifier"),
                  text(r.value, f"{field}.references[{i}].value"),
                  text(r.description, f"{field}.references[{i}].description")]
                 for i, r in enumerate(member.references)]
    segments += _address(member.address_lines, member.city, member.state, member.postal_code,
                         text, field)
    segments += _aaa(member.errors, text, f"{field}.errors")
    if member.date_of_birth is not None:
        segments.append(["DMG", "D8", f"{member.date_of_birth:%Y%m%d}",
                         text(member.gender, f"{field}.gender")])
    relationship = member.relationship_code
    if relationship:
        segments.append(["INS", "Y" if code == "IL" else "N",
                         text(relationship, f"{field}.relationship_code")])
    segments += [_date(d, text, f"{field}.dates[{i}]") for i, d in enumerate(member.dates)]
    for i, benefit in enumerate(member.benefits):
        segments += _benefit(text, sep, benefit, f"{field}.benefits[{i}]")
    return segments


def _benefit(text: _Text, sep: Envelope, benefit: Benefit, field: str) -> list[Segment]:
    if not benefit.info:
        raise X12InputError(f"{field}.info", "must not be empty")
    services = sep.repetition_separator.join(
        text(s, f"{field}.service_types[{i}]") for i, s in enumerate(benefit.service_types)
    )
    procedure = ""
    if benefit.procedure is not None:
        p = benefit.procedure
        parts = [text(p.qualifier, f"{field}.procedure.qualifier"),
                 text(p.code, f"{field}.procedure.code"),
                 *(text(m, f"{field}.procedure.modifiers[{i}]")
                   for i, m in enumerate(p.modifiers))]
        procedure = sep.component_separator.join(parts)
    segments: list[Segment] = [[
        "EB", text(benefit.info, f"{field}.info"),
        text(benefit.coverage_level, f"{field}.coverage_level"), services,
        text(benefit.insurance_type, f"{field}.insurance_type"),
        text(benefit.plan_description, f"{field}.plan_description"),
        text(benefit.time_period, f"{field}.time_period"),
        text.number(benefit.amount, f"{field}.amount"),
        text.number(benefit.percent, f"{field}.percent"),
        text(benefit.quantity_qualifier, f"{field}.quantity_qualifier"),
        text.number(benefit.quantity, f"{field}.quantity"),
        text(benefit.authorization_required, f"{field}.authorization_required"),
        text(benefit.in_plan_network, f"{field}.in_plan_network"),
        procedure,
    ]]
    segments += [_hsd(limit, text, f"{field}.delivery_limits[{i}]")
                 for i, limit in enumerate(benefit.delivery_limits)]
    segments += [["REF", text(r.qualifier, f"{field}.references[{i}].qualifier"),
                  text(r.value, f"{field}.references[{i}].value"),
                  text(r.description, f"{field}.references[{i}].description")]
                 for i, r in enumerate(benefit.references)]
    segments += [_date(d, text, f"{field}.dates[{i}]") for i, d in enumerate(benefit.dates)]
    segments += _aaa(benefit.errors, text, f"{field}.errors")
    segments += [["MSG", text(m, f"{field}.messages[{i}]")] for i, m in enumerate(benefit.messages)]
    segments += [["III", "ZZ", text(p, f"{field}.places_of_service[{i}]")]
                 for i, p in enumerate(benefit.places_of_service)]
    for i, entity in enumerate(benefit.related_entities):
        segments += _entity(entity, text, f"{field}.related_entities[{i}]")
    return segments


def _hsd(limit: DeliveryLimit, text: _Text, field: str) -> Segment:
    return ["HSD", text(limit.quantity_qualifier, f"{field}.quantity_qualifier"),
            text.number(limit.quantity, f"{field}.quantity"), text(limit.unit, f"{field}.unit"),
            text.number(limit.sample_modulus, f"{field}.sample_modulus"),
            text(limit.time_period, f"{field}.time_period"),
            text.number(limit.periods, f"{field}.periods"),
            text(limit.calendar_pattern, f"{field}.calendar_pattern"),
            text(limit.time_code, f"{field}.time_code")]


def _entity(entity: RelatedEntity, text: _Text, field: str) -> list[Segment]:
    segments: list[Segment] = [["LS", "2120"]]
    if entity.entity_code:
        segments.append(["NM1", text(entity.entity_code, f"{field}.entity_code"), "2",
                         text(entity.name, f"{field}.name"), "", "", "", "",
                         text(entity.id_qualifier, f"{field}.id_qualifier"),
                         text(entity.identifier, f"{field}.identifier")])
    segments += _address(entity.address_lines, entity.city, entity.state, entity.postal_code,
                         text, field)
    segments += _contacts(entity.contacts, text, f"{field}.contacts")
    if entity.provider_code:
        segments.append(["PRV", text(entity.provider_code, f"{field}.provider_code"),
                         text(entity.provider_id_qualifier, f"{field}.provider_id_qualifier"),
                         text(entity.provider_id, f"{field}.provider_id")])
    segments.append(["LE", "2120"])
    return segments


def build_ta1_rejection(envelope: Envelope, rejected_interchange: int,
                        note_code: str = "006") -> str:
    """An interchange holding only a TA1 that rejects ``rejected_interchange`` (ISA13)."""
    checked = check_envelope(envelope)
    text = _Text(checked)
    created = envelope.created_at
    return render_without_group(checked, [[
        "TA1", f"{rejected_interchange:09d}", created.strftime("%y%m%d"),
        created.strftime("%H%M"), "R", text(note_code, "note_code"),
    ]])


def build_999_rejection(
    envelope: Envelope,
    rejected_group: int,
    rejected_transaction: str,
    *,
    set_error: str = "5",
    segment_errors: Sequence[tuple[str, int, str]] = (),
) -> str:
    """A 999 that rejects one 270 (IK5*R) with optional IK3 (segment id, position, code)."""
    checked = check_envelope(envelope)
    text = _Text(checked)
    body: list[Segment] = [
        ["AK1", "HS", str(rejected_group), VERSION_5010],
        ["AK2", "270", text(rejected_transaction, "rejected_transaction"), VERSION_5010],
    ]
    for i, (segment_id, position, code) in enumerate(segment_errors):
        body.append(["IK3", text(segment_id, f"segment_errors[{i}]"), str(position), "",
                     text(code, f"segment_errors[{i}]")])
    body += [["IK5", "R", text(set_error, "set_error")], ["AK9", "R", "1", "1", "0"]]
    return render(checked, functional_id="FA", version=ACK_VERSION, set_id="999", body=body)

"""Write an EligibilityRequest as a 5010 270 (005010X279A1).

Every value passes the charset allow-list first: 5010 has no escape character, so a
separator in a name would corrupt the interchange, and silently stripping it would ask the
payer about someone else. Refusals name the field (``subscriber.member_id``), never the value.

Shape decisions: the patient's loop (2000C, or 2000D for a dependent) carries TRN, DTP*291
and EQ; a dependent gets INS*N*<01|19|G8>; the subscriber NM1 carries MI only when a member
id is known; EQ01 repeats service types with the repetition separator and EQ02 carries the
procedure composite when one is given (both when both are).
"""

from __future__ import annotations

from verifier.domain import EligibilityRequest, Person, ProcedureCode, Relationship
from verifier.x12 import charset, codes
from verifier.x12.charset import X12InputError
from verifier.x12.writer import CheckedEnvelope, Envelope, Segment, check_envelope, render

__all__ = ["VERSION_5010", "Envelope", "encode_270"]

VERSION_5010 = "005010X279A1"
RELATIONSHIP_CODES = {Relationship.SPOUSE: "01", Relationship.CHILD: "19",
                      Relationship.OTHER: "G8"}
_GENDERS = frozenset({"M", "F", "U"})
_MAX_SERVICE_TYPES = 99


def clean_name(value: str, field: str) -> str:
    charset.refuse_control_characters(value, field)
    return charset.clean_name(value, field)


def clean_identifier(value: str, field: str) -> str:
    charset.refuse_control_characters(value, field)
    return charset.clean_identifier(value, field)


def _limit(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise X12InputError(field, f"must be at most {limit} characters")
    return value


def _person_name(person: Person, field: str) -> list[str]:
    """NM103-NM105: last (60), first (35), middle (25).

    An empty first name is left out on purpose: the TR3's alternate search by member id,
    date of birth and last name (§1.4.8, ``verifications.matching``). Intake never sends one.
    No name at all is the member id + date of birth search a payer may offer at its
    discretion: the TR3's example 2A itself sends ``NM1*IL*1******MI*11122333301`` and the
    271's NM103 rule reads "not valued in the request" (X12 RFI 1681). Only a subscriber
    with a member id is sent that way (checked by the caller).
    """
    if person.last_name == "" and person.first_name == "" and not person.middle_name:
        return ["", "", ""]
    last = clean_name(person.last_name, f"{field}.last_name")
    first = ""
    if person.first_name != "":
        first = _limit(clean_name(person.first_name, f"{field}.first_name"),
                       f"{field}.first_name", 35)
    middle = ""
    if person.middle_name:
        middle = _limit(clean_name(person.middle_name, f"{field}.middle_name"),
                        f"{field}.middle_name", 25)
    return [last, first, middle]


def _demographics(person: Person, field: str) -> Segment:
    segment = ["DMG", "D8", person.date_of_birth.strftime("%Y%m%d")]
    if person.gender is not None:
        if person.gender not in _GENDERS:
            raise X12InputError(f"{field}.gender", "must be M, F or U")
        segment.append(person.gender)
    return segment


def _procedure(procedure: ProcedureCode, component: str) -> str:
    if procedure.qualifier not in codes.PROCEDURE_QUALIFIERS:
        raise X12InputError("procedure.qualifier", "is not a 5010 EQ02 qualifier")
    code = _limit(clean_identifier(procedure.code, "procedure.code"), "procedure.code", 48)
    if len(procedure.modifiers) > 4:
        raise X12InputError("procedure.modifiers", "must be at most 4")
    parts = [procedure.qualifier, code]
    for index, modifier in enumerate(procedure.modifiers):
        field = f"procedure.modifiers[{index}]"
        parts.append(_limit(clean_identifier(modifier, field), field, 2))
    return component.join(parts)


def _inquiry(request: EligibilityRequest, checked: CheckedEnvelope) -> list[Segment]:
    """TRN, then (after the member's NM1/DMG) DTP*291 and EQ: the patient's own segments."""
    env = checked.envelope
    if not request.service_types and request.procedure is None:
        raise X12InputError("service_types", "needs a service type or a procedure")
    if len(request.service_types) > _MAX_SERVICE_TYPES:
        raise X12InputError("service_types", f"must be at most {_MAX_SERVICE_TYPES}")
    for index, service in enumerate(request.service_types):
        if service not in codes.SERVICE_TYPES:
            raise X12InputError(f"service_types[{index}]", "is not a 5010 service type code")
    eq = ["EQ", env.repetition_separator.join(request.service_types)]
    if request.procedure is not None:
        eq.append(_procedure(request.procedure, env.component_separator))
    return [["DTP", "291", "D8", request.service_date.strftime("%Y%m%d")], eq]


def encode_270(request: EligibilityRequest, envelope: Envelope) -> str:
    """A complete interchange (ISA..IEA) holding one 270 for this request."""
    checked = check_envelope(envelope)
    payer_name = clean_name(request.payer_name, "payer_name")
    payer_id = clean_identifier(request.payer_id, "payer_id")
    organization = clean_name(request.provider.organization_name, "provider.organization_name")
    npi = clean_identifier(request.provider.npi, "provider.npi")
    if len(npi) != 10 or not npi.isdigit():
        raise X12InputError("provider.npi", "must be 10 digits")
    trace = _limit(clean_identifier(request.trace_number, "trace_number"), "trace_number", 50)
    dependent = request.dependent
    if dependent is not None and request.relationship is Relationship.SELF:
        raise X12InputError("relationship", "must not be self when a dependent is the patient")
    if dependent is not None and dependent.member_id:
        raise X12InputError(
            "dependent.member_id", "a patient with their own member id is sent as the subscriber"
        )

    subscriber = request.subscriber
    if subscriber.last_name == "" and not (subscriber.member_id and dependent is None):
        raise X12InputError(
            "subscriber.last_name", "is required unless the subscriber is searched by member id"
        )
    if dependent is not None and dependent.last_name == "":
        raise X12InputError("dependent.last_name", "is required")
    subscriber_nm1 = ["NM1", "IL", "1", *_person_name(subscriber, "subscriber"), "", ""]
    if subscriber.member_id:
        member_id = _limit(clean_identifier(subscriber.member_id, "subscriber.member_id"),
                           "subscriber.member_id", 80)
        subscriber_nm1 += ["MI", member_id]
    subscriber_loop: list[Segment] = [subscriber_nm1]
    if request.group_number:
        group = _limit(clean_identifier(request.group_number, "group_number"), "group_number",
                       50)
        subscriber_loop.append(["REF", "6P", group])
    subscriber_loop.append(_demographics(subscriber, "subscriber"))

    inquiry = _inquiry(request, checked)
    trn = ["TRN", "1", trace, checked.originator]
    body: list[Segment] = [
        ["BHT", "0022", "13", trace, envelope.created_at.strftime("%Y%m%d"),
         envelope.created_at.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", organization, "", "", "", "", "XX", npi],
        ["HL", "3", "2", "22", "1" if dependent is not None else "0"],
    ]
    if dependent is None:
        body += [trn, *subscriber_loop, *inquiry]
    else:
        body += subscriber_loop
        body += [
            ["HL", "4", "3", "23", "0"],
            trn,
            ["NM1", "03", "1", *_person_name(dependent, "dependent")],
            _demographics(dependent, "dependent"),
            ["INS", "N", RELATIONSHIP_CODES[request.relationship]],
            *inquiry,
        ]
    return render(checked, functional_id="HS", version=VERSION_5010, set_id="270", body=body)

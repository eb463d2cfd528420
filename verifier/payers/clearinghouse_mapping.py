"""A clearinghouse's JSON eligibility response (eligibility v3 style) as domain objects.

The leading clearinghouses translate the payer's 271 into JSON field by field and keep the
X12 codes (``code`` is EB01, ``timeQualifierCode`` EB06 ...), so the mapping is mechanical
and the coverage engine reads the same Benefits it reads from a 271. Unknown fields are
ignored; a value of the wrong type makes the whole response invalid rather than half-read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from verifier.domain import (
    Benefit,
    Contact,
    DateInfo,
    DeliveryLimit,
    EligibilityRequest,
    EligibilityResult,
    MemberResult,
    Party,
    ProcedureCode,
    Reference,
    RelatedEntity,
    RequestError,
    Trace,
)
from verifier.x12 import codes
from verifier.x12.aaa import request_error


class MappingError(ValueError):
    """The JSON does not have the shape of an eligibility response; names the field only."""


# Date field names → DTP qualifiers.
DATE_QUALIFIERS = {
    "plan": "291",
    "planBegin": "346",
    "planEnd": "347",
    "eligibility": "307",
    "eligibilityBegin": "356",
    "eligibilityEnd": "357",
    "benefit": "292",
    "benefitBegin": "348",
    "benefitEnd": "349",
    "service": "472",
    "admission": "435",
    "latestVisitOrConsultation": "304",
    "periodStart": "193",
    "periodEnd": "194",
}
# planInformation field names → REF qualifiers.
REFERENCE_QUALIFIERS = {
    "planNumber": "18",
    "groupNumber": "6P",
    "policyNumber": "IG",
    "memberId": "1W",
    "caseNumber": "3H",
    "planNetworkIdNumber": "N6",
    "priorAuthorizationNumber": "G1",
    "referralNumber": "9F",
}
# Entity descriptions clearinghouses send instead of NM101 codes.
ENTITY_CODES = {
    "utilization management organization": "X3",
    "payer": "PR",
    "primary care provider": "P3",
    "vendor": "VN",
    "managed care organization": "Y2",
    "employer": "36",
    "gateway provider": "GP",
    "primary payer": "PRP",
    "secondary payer": "SEP",
    "tertiary payer": "TTP",
    "insured or subscriber": "IL",
    "provider": "1P",
}
# PER03/05/07 (communication number qualifier) by the names the JSON APIs send.
CONTACT_QUALIFIERS = {
    "telephone": "TE",
    "telephone extension": "EX",
    "work phone number": "WP",
    "facsimile": "FX",
    "fax": "FX",
    "electronic mail": "EM",
    "email": "EM",
    "e-mail": "EM",
    "uniform resource locator (url)": "UR",
    "uniform resource locator": "UR",
    "url": "UR",
    "electronic data interchange access number": "ED",
}
_CONTACT_CODES = frozenset(CONTACT_QUALIFIERS.values())
_FOLLOW_UP_BY_TEXT = {text.casefold(): code for code, text in codes.FOLLOW_UP_ACTIONS.items()}
_LOOP = re.compile(r"(2000|2100|2110|2115|2120)([A-D])")


def _dict(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MappingError(f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MappingError(f"{where} must be a list")
    return value


def _str(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MappingError(f"{where} must be a string")
    return str(value).strip() or None


def _decimal(value: Any, where: str) -> Decimal | None:
    text = _str(value, where)
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise MappingError(f"{where} must be a number") from None
    if not number.is_finite():
        raise MappingError(f"{where} must be a number")
    return number


def _date(value: Any, where: str) -> dt.date | None:
    text = _str(value, where)
    if text is None:
        return None
    digits = text.replace("-", "")
    try:
        return dt.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError:
        raise MappingError(f"{where} must be a date") from None


def _date_info(qualifier: str, value: Any, where: str) -> DateInfo:
    text = _str(value, where) or ""
    if re.fullmatch(r"\d{8}-\d{8}", text):
        start, end = text.split("-")
        return DateInfo(qualifier, _date(start, where), _date(end, where), text)
    return DateInfo(qualifier, _date(text, where), None, text)


def _dates(block: Any, where: str) -> tuple[DateInfo, ...]:
    found = []
    for name, value in _dict(block, where).items():
        qualifier = DATE_QUALIFIERS.get(name)
        if qualifier and value:
            found.append(_date_info(qualifier, value, f"{where}.{name}"))
    return tuple(found)


def follow_up_code(value: Any, where: str) -> str | None:
    """AAA04 from a code (``C``) or its description (``Please Correct and Resubmit``)."""
    text = _str(value, where)
    if text is None:
        return None
    if text.upper() in codes.FOLLOW_UP_ACTIONS:
        return text.upper()
    return _FOLLOW_UP_BY_TEXT.get(text.casefold())


def loop_of(location: Any, default: str) -> str:
    match = _LOOP.search(str(location or ""))
    return match.group(0) if match else default


def request_errors(items: Any, where: str, default_loop: str) -> tuple[RequestError, ...]:
    found = []
    for index, raw in enumerate(_list(items, where)):
        item = _dict(raw, f"{where}[{index}]")
        code = _str(item.get("code"), f"{where}[{index}].code")
        if code is None:
            continue
        follow_up = follow_up_code(item.get("followupAction"), f"{where}[{index}].followupAction")
        loop = loop_of(item.get("location"), default_loop)
        found.append(request_error(loop, False, code.upper(), follow_up))
    return tuple(found)


def contact_qualifier(mode: str) -> str:
    """The PER qualifier for a communicationMode (a name, or already the code)."""
    text = mode.strip()
    if text.upper() in _CONTACT_CODES:
        return text.upper()
    return CONTACT_QUALIFIERS.get(text.casefold(), "TE" if not text else "UN")


def _contacts(block: Any, where: str) -> tuple[Contact, ...]:
    info = _dict(block, where)
    pairs = []
    for index, raw in enumerate(_list(info.get("contacts"), f"{where}.contacts")):
        item = _dict(raw, f"{where}.contacts[{index}]")
        mode = _str(item.get("communicationMode"), f"{where}.contacts[{index}]") or ""
        number = _str(item.get("communicationNumber"), f"{where}.contacts[{index}]")
        if number:
            pairs.append((contact_qualifier(mode), number))
    if not pairs and not info.get("name"):
        return ()
    return (Contact(None, _str(info.get("name"), f"{where}.name"), tuple(pairs)),)


def _entity(raw: Any, where: str) -> RelatedEntity:
    item = _dict(raw, where)
    code = _str(item.get("entityIdentifierCode"), where)
    if code is None:
        described = (_str(item.get("entityIdentifier"), where) or "").casefold()
        code = ENTITY_CODES.get(described, described.upper()[:3] or "UNK")
    name = _str(item.get("entityName"), where)
    first = _str(item.get("entityFirstname"), where)
    address = _dict(item.get("address"), f"{where}.address")
    return RelatedEntity(
        entity_code=code,
        name=f"{name} {first}".strip() if name and first else name,
        id_qualifier=_str(item.get("entityIdentificationCode"), where)
        or _str(item.get("entityIdentification"), where),
        identifier=_str(item.get("entityIdentificationValue"), where),
        contacts=_contacts(item.get("contactInformation"), f"{where}.contactInformation"),
        address_lines=tuple(
            line
            for line in (
                _str(address.get("address1"), where),
                _str(address.get("address2"), where),
            )
            if line
        ),
        city=_str(address.get("city"), where),
        state=_str(address.get("state"), where),
        postal_code=_str(address.get("postalCode"), where),
    )


def _procedure(raw: Any, where: str) -> ProcedureCode | None:
    item = _dict(raw, where)
    code = _str(item.get("procedureCode"), where)
    if code is None:
        return None
    modifiers = tuple(
        m for m in (_str(x, where) for x in _list(item.get("procedureModifiers"), where)) if m
    )
    return ProcedureCode(
        _str(item.get("productOrServiceIdQualifierCode"), where) or "HC", code, modifiers
    )


def _code(item: Mapping[str, Any], names: tuple[str, ...], where: str) -> str | None:
    """The first of ``names`` that holds an X12 code (1-3 characters, not a description).

    The v3 schema names the HSD codes ``...QualifierCode``; the older ``unitForMeasurementCode``,
    ``deliveryOrCalendarPatternCode`` and ``deliveryPatternTimeCode`` hold descriptions in
    Stedi's reference ("Days", "1st Week of the Month"), so they count only when short.
    """
    for name in names:
        value = _str(item.get(name), f"{where}.{name}")
        if value is not None and len(value) <= 3:
            return value.upper()
    return None


def _delivery(raw: Any, where: str) -> DeliveryLimit:
    item = _dict(raw, where)
    return DeliveryLimit(
        quantity_qualifier=_code(item, ("quantityQualifierCode",), where),
        quantity=_decimal(item.get("quantity"), f"{where}.quantity"),
        unit=_code(item, ("unitForMeasurementQualifierCode", "unitForMeasurementCode"), where),
        sample_modulus=_decimal(item.get("sampleSelectionModulus"), where),
        time_period=_code(item, ("timePeriodQualifierCode",), where),
        periods=_decimal(item.get("numOfPeriods"), f"{where}.numOfPeriods"),
        calendar_pattern=_code(
            item,
            ("deliveryOrCalendarPatternQualifierCode", "deliveryOrCalendarPatternCode"),
            where,
        ),
        time_code=_code(
            item, ("deliveryPatternTimeQualifierCode", "deliveryPatternTimeCode"), where
        ),
    )


def benefit(raw: Any, where: str) -> Benefit | None:
    item = _dict(raw, where)
    info = _str(item.get("code"), f"{where}.code")
    if info is None:
        return None
    service_types = tuple(
        s
        for s in (
            _str(x, f"{where}.serviceTypeCodes") for x in _list(item.get("serviceTypeCodes"), where)
        )
        if s
    )
    messages = tuple(
        text
        for text in (
            _str(_dict(x, f"{where}.additionalInformation").get("description"), where)
            for x in _list(item.get("additionalInformation"), f"{where}.additionalInformation")
        )
        if text
    )
    return Benefit(
        info=info.upper(),
        coverage_level=_str(item.get("coverageLevelCode"), where),
        service_types=service_types,
        insurance_type=_str(item.get("insuranceTypeCode"), where),
        plan_description=_str(item.get("planCoverage"), where),
        time_period=_str(item.get("timeQualifierCode"), where),
        amount=_decimal(item.get("benefitAmount"), f"{where}.benefitAmount"),
        percent=_decimal(item.get("benefitPercent"), f"{where}.benefitPercent"),
        quantity_qualifier=_str(item.get("quantityQualifierCode"), where),
        quantity=_decimal(item.get("benefitQuantity"), f"{where}.benefitQuantity"),
        authorization_required=_str(item.get("authOrCertIndicator"), where),
        in_plan_network=_str(item.get("inPlanNetworkIndicatorCode"), where),
        procedure=_procedure(
            item.get("compositeMedicalProcedureIdentifier"),
            f"{where}.compositeMedicalProcedureIdentifier",
        ),
        delivery_limits=tuple(
            _delivery(x, f"{where}.benefitsServiceDelivery")
            for x in _list(item.get("benefitsServiceDelivery"), where)
        ),
        dates=_dates(item.get("benefitsDateInformation"), f"{where}.benefitsDateInformation"),
        messages=messages,
        related_entities=tuple(
            _entity(x, f"{where}.benefitsRelatedEntities[{i}]")
            for i, x in enumerate(_list(item.get("benefitsRelatedEntities"), where))
        ),
        errors=request_errors(item.get("aaaErrors"), f"{where}.aaaErrors", "2110C"),
        industry_codes=_industry_codes(item, where),
    )


def _industry_codes(item: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """III01/III02 pairs: Stedi/Optum ``eligibilityAdditionalInformationList`` (or the
    single ``eligibilityAdditionalInformation``), e.g. ZZ + 11 = place of service office."""
    raw = item.get("eligibilityAdditionalInformationList")
    if raw is None and item.get("eligibilityAdditionalInformation") is not None:
        raw = [item.get("eligibilityAdditionalInformation")]
    found: list[tuple[str, str]] = []
    for index, entry in enumerate(_list(raw, f"{where}.eligibilityAdditionalInformationList")):
        info = _dict(entry, f"{where}.eligibilityAdditionalInformationList[{index}]")
        code = _str(info.get("industryCode"), where)
        if code:
            pair = (_str(info.get("codeListQualifierCode"), where) or "", code)
            if pair not in found:
                found.append(pair)
    return tuple(found)


def _traces(items: Any, where: str) -> tuple[Trace, ...]:
    found = []
    for index, raw in enumerate(_list(items, where)):
        item = _dict(raw, f"{where}[{index}]")
        number = _str(item.get("referenceIdentification"), where)
        if number:
            found.append(
                Trace(
                    _str(item.get("traceTypeCode"), where) or "2",
                    number,
                    _str(item.get("originatingCompanyIdentifier"), where),
                    _str(item.get("secondaryReferenceIdentification"), where),
                )
            )
    return tuple(found)


def _references(plan: Mapping[str, Any], where: str) -> tuple[Reference, ...]:
    found = []
    for name, qualifier in REFERENCE_QUALIFIERS.items():
        value = _str(plan.get(name), f"{where}.{name}")
        if value:
            description = plan.get("groupDescription") if name == "groupNumber" else None
            found.append(Reference(qualifier, value, _str(description, where)))
    return tuple(found)


def _member(
    raw: Any, where: str, loop: str, *, benefits: tuple[Benefit, ...] = (), extra: Any = None
) -> MemberResult:
    item = _dict(raw, where)
    extras = _dict(extra, "response")
    address = _dict(item.get("address"), f"{where}.address")
    return MemberResult(
        loop=loop,
        first_name=_str(item.get("firstName"), where),
        last_name=_str(item.get("lastName"), where),
        middle_name=_str(item.get("middleName"), where),
        member_id=_str(item.get("memberId"), where),
        date_of_birth=_date(item.get("dateOfBirth"), f"{where}.dateOfBirth"),
        gender=_str(item.get("gender"), where),
        relationship_code=_str(item.get("relationToSubscriberCode"), where),
        traces=_traces(
            item.get("subscriberTraceNumbers") or extras.get("subscriberTraceNumbers"),
            f"{where}.subscriberTraceNumbers",
        ),
        references=_references(
            _dict(extras.get("planInformation"), "planInformation"), "planInformation"
        ),
        dates=_dates(extras.get("planDateInformation"), "planDateInformation"),
        errors=request_errors(item.get("aaaErrors"), f"{where}.aaaErrors", loop),
        benefits=benefits,
        address_lines=tuple(
            line
            for line in (_str(address.get("address1"), where), _str(address.get("address2"), where))
            if line
        ),
        city=_str(address.get("city"), where),
        state=_str(address.get("state"), where),
        postal_code=_str(address.get("postalCode"), where),
    )


def _loop_errors(body: Mapping[str, Any], benefits: tuple[Benefit, ...]) -> list[RequestError]:
    found: list[RequestError] = [e for b in benefits for e in b.errors]
    for block, loop in (("payer", "2100A"), ("provider", "2100B"), ("subscriber", "2100C")):
        found += request_errors(_dict(body.get(block), block).get("aaaErrors"), block, loop)
    for raw in _list(body.get("dependents"), "dependents"):
        found += request_errors(_dict(raw, "dependents").get("aaaErrors"), "dependents", "2100D")
    return found


def _unrepeated(
    top: tuple[RequestError, ...], in_loops: list[RequestError]
) -> tuple[RequestError, ...]:
    """``errors[]`` less the AAAs its loops already carry: Stedi and Optum list each twice."""
    seen = {(e.loop, e.reject_code) for e in in_loops}
    codes = {e.reject_code for e in in_loops}
    return tuple(
        e
        for e in top
        if (e.loop, e.reject_code) not in seen
        and not (e.loop == "2100C" and e.reject_code in codes)  # no location given
    )


def to_result(data: Any, request: EligibilityRequest) -> EligibilityResult:
    """The domain result; benefits belong to the patient (the dependent when we asked for one)."""
    body = _dict(data, "response")
    benefits = tuple(
        b
        for b in (
            benefit(x, f"benefitsInformation[{i}]")
            for i, x in enumerate(_list(body.get("benefitsInformation"), "benefitsInformation"))
        )
        if b is not None
    )
    payer_block = _dict(body.get("payer"), "payer")
    provider_block = _dict(body.get("provider"), "provider")
    top_errors = _unrepeated(
        request_errors(body.get("errors"), "errors", "2100C"), _loop_errors(body, benefits)
    )
    payer_errors = tuple(e for e in top_errors if e.loop in ("2000A", "2100A"))
    provider_errors = tuple(e for e in top_errors if e.loop in ("2000B", "2100B"))
    member_errors = tuple(e for e in top_errors if e not in payer_errors + provider_errors)
    dependents = _list(body.get("dependents"), "dependents")
    for_dependent = request.dependent is not None and bool(dependents)
    subscriber_raw = body.get("subscriber")
    subscriber = None
    if subscriber_raw is not None:
        subscriber = _member(
            subscriber_raw,
            "subscriber",
            "2100C",
            benefits=() if for_dependent else benefits,
            extra=body,
        )
    dependent = None
    if for_dependent:
        dependent = _member(dependents[0], "dependents[0]", "2100D", benefits=benefits, extra=body)
    patient = dependent or subscriber
    if patient is not None and member_errors:
        patient = replace(patient, errors=patient.errors + member_errors)
        if dependent is not None:
            dependent = patient
        else:
            subscriber = patient
    elif member_errors:
        payer_errors += member_errors
    payer = Party(
        name=_str(payer_block.get("name"), "payer.name"),
        id_qualifier="PI",
        identifier=_str(
            payer_block.get("payorIdentification") or payer_block.get("payerId"), "payer"
        ),
        errors=payer_errors + request_errors(payer_block.get("aaaErrors"), "payer", "2100A"),
    )
    provider = Party(
        name=_str(
            provider_block.get("providerName") or provider_block.get("organizationName"), "provider"
        ),
        id_qualifier="XX",
        identifier=_str(provider_block.get("npi"), "provider.npi"),
        errors=provider_errors
        + request_errors(provider_block.get("aaaErrors"), "provider", "2100B"),
    )
    if subscriber is None and not benefits and not (payer.errors or provider.errors):
        raise MappingError("response names neither a subscriber nor any error")
    return EligibilityResult(
        payer=payer,
        provider=provider,
        subscriber=subscriber,
        dependent=dependent,
        version="clearinghouse-json",
        control_number=_str(body.get("controlNumber"), "controlNumber"),
    )

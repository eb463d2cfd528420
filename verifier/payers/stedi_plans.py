"""Stedi's redesigned eligibility endpoint (``/2026-06-01/eligibility-check``) as domain objects.

The redesigned response groups benefits by plan (``plans[].benefits.statuses``,
``coPayment``, ``coInsurance``, ``deductible`` ...) and spells values out
(``ACTIVE_COVERAGE``, ``IN_NETWORK``, ``CALENDAR_YEAR``). This module turns it back into
the X12-shaped ``Benefit``s the coverage engine reads (EB01 info codes, EB02 coverage level,
EB06 time period, EB12 network Y/N/W, amounts as Decimal, percent as a fraction), so
``verifier.coverage.summarize`` needs no change. Pure functions only.

Sources (read December 2026):

* https://www.stedi.com/docs/healthcare/api-reference/post-eligibility-check and
  https://www.stedi.com/changelog/introducing-our-redesigned-json-real-time-eligibility-check-api
  (endpoint, plan grouping, spelled-out values);
* the schema and the published examples of that operation as Stedi ships them in its Python
  SDK (PyPI ``stedi`` 1.0.0, ``stedi/models.py`` and ``stedi/_private/schemas.py``,
  operation ``com.stedi.eligibility.v4#CreateEligibilityCheck``, ``http`` trait
  ``POST /2026-06-01/eligibility-check``), whose example response carries the payer's 271 in
  ``x12`` beside the plans: every spelled-out value below that the example uses was checked
  against its EB segment there (``EB*B*IND*49*PR**36*2000*****Y`` is a ``coPayment`` of
  ``2000``, ``INDIVIDUAL``, ``ADMISSION``, ``IN_NETWORK``; ``EB*1*EMP*30*...*W`` a status
  ``ACTIVE_COVERAGE``, ``EMPLOYEE_ONLY``, ``IN_AND_OUT_OF_NETWORK``; ``YY*26`` a quantity
  ``YEARS`` ``26``).

The other names are the X12 code names themselves (SDK docstrings: "Service Year",
"Remaining", "Family" ...). A value the schema does not list, or a benefit array it does not
document, is not reported (``None``, or no ``Benefit``), never guessed. The schema says a
benefit's ``coverageLevel`` "defaults to ``INDIVIDUAL`` when the payer doesn't send a
coverage level", so ``INDIVIDUAL`` here can also mean "not sent".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from verifier.domain import (
    Benefit,
    DateInfo,
    EligibilityRequest,
    EligibilityResult,
    MemberResult,
    Party,
    ProcedureCode,
    Reference,
    RequestError,
    Trace,
)

# The v3 mapping's JSON field readers (each names the field it refuses): one set for both
# shapes. Its _date is not shared: v3 dates are CCYYMMDD, these are ISO 8601.
from verifier.payers.clearinghouse_mapping import (
    MappingError,
    _decimal,
    _dict,
    _list,
    _str,
    follow_up_code,
)
from verifier.x12.aaa import request_error

API_VERSION = "2026-06-01"
PATH = f"/{API_VERSION}/eligibility-check"

# plans[].benefits.statuses[].status (EligibilityCheckCoverageStatus) -> EB01.
STATUS_CODES = {
    "ACTIVE_COVERAGE": "1",
    "ACTIVE_FULL_RISK_CAPITATION": "2",
    "ACTIVE_SERVICES_CAPITATED": "3",
    "ACTIVE_SERVICES_CAPITATED_TO_PRIMARY_CARE_PROVIDER": "4",
    "ACTIVE_PENDING_INVESTIGATION": "5",
    "INACTIVE": "6",
    "INACTIVE_PENDING_ELIGIBILITY_UPDATE": "7",
    "INACTIVE_PENDING_INVESTIGATION": "8",
}
# plans[].benefits.<array> (EligibilityCheckBenefits) -> EB01. ``statuses`` is above;
# ``invalidEntries`` (what Stedi could not validate) is not read.
BENEFIT_ARRAYS = {
    "coInsurance": "A",
    "coPayment": "B",
    "deductible": "C",
    "coverageBasis": "CB",
    "benefitDescription": "D",
    "exclusions": "E",
    "limitations": "F",
    "outOfPocket": "G",
    "unlimited": "H",
    "nonCovered": "I",
    "costContainment": "J",
    "reserve": "K",
    "primaryCareProvider": "L",
    "preExistingCondition": "M",
    "managedCareCoordinator": "MC",
    "servicesRestrictedToFollowingProvider": "N",
    "notDeemedMedicalNecessity": "O",
    "benefitDisclaimer": "P",
    "secondSurgicalOpinionRequired": "Q",
    "otherOrAdditionalPayer": "R",
    "priorYearsHistory": "S",
    "cardReportedStolen": "T",
    "contactFollowingEntityForInformation": "U",
    "cannotProcess": "V",
    "otherSourceOfData": "W",
    "healthCareFacility": "X",
    "spendDown": "Y",
}
# EligibilityCheckCoverageLevel -> EB02.
COVERAGE_LEVELS = {
    "CHILDREN_ONLY": "CHD",
    "DEPENDENTS_ONLY": "DEP",
    "EMPLOYEE_AND_CHILDREN": "ECH",
    "EMPLOYEE_ONLY": "EMP",
    "EMPLOYEE_AND_SPOUSE": "ESP",
    "FAMILY": "FAM",
    "INDIVIDUAL": "IND",
    "SPOUSE_AND_CHILDREN": "SPC",
    "SPOUSE_ONLY": "SPO",
}
# EligibilityCheckNetworkIndicator -> EB12 (the enum has no "unknown": absent is not reported).
NETWORK_INDICATORS = {"IN_NETWORK": "Y", "OUT_OF_NETWORK": "N", "IN_AND_OUT_OF_NETWORK": "W"}
# EligibilityCheckTimePeriod -> EB06.
TIME_PERIODS = {
    "HOUR": "6",
    "DAY": "7",
    "24_HOURS": "13",
    "YEARS": "21",
    "SERVICE_YEAR": "22",
    "CALENDAR_YEAR": "23",
    "YEAR_TO_DATE": "24",
    "CONTRACT": "25",
    "EPISODE": "26",
    "VISIT": "27",
    "OUTLIER": "28",
    "REMAINING": "29",
    "EXCEEDED": "30",
    "NOT_EXCEEDED": "31",
    "LIFETIME": "32",
    "LIFETIME_REMAINING": "33",
    "MONTH": "34",
    "WEEK": "35",
    "ADMISSION": "36",
}
# EligibilityCheckQuantityQualifier -> EB09.
QUANTITY_QUALIFIERS = {
    "MINIMUM": "8H",
    "QUANTITY_USED": "99",
    "COVERED_ACTUAL": "CA",
    "COVERED_ESTIMATED": "CE",
    "NUMBER_OF_CO_INSURANCE_DAYS": "D3",
    "DEDUCTIBLE_BLOOD_UNITS": "DB",
    "DAYS": "DY",
    "HOURS": "HS",
    "LIFE_TIME_RESERVE_ACTUAL": "LA",
    "LIFE_TIME_RESERVE_ESTIMATED": "LE",
    "MAXIMUM": "M2",
    "MONTH": "MN",
    "NUMBER_OF_SERVICES_OR_PROCEDURES": "P6",
    "QUANTITY_APPROVED": "QA",
    "VISITS": "VS",
    "YEARS": "YY",
}
# EligibilityCheckPriorAuthIndicator -> EB11.
PRIOR_AUTH = {"REQUIRED": "Y", "NOT_REQUIRED": "N"}
# service.system (EligibilityCheckResponseServiceCodeSystem) -> EB13-1 for procedure codes;
# STC goes to EB03. ICD-10-PCS has no EB13 qualifier we know of: not reported.
PROCEDURE_SYSTEMS = {"CPT": "HC", "HCPCS": "HC", "CDT": "AD", "NDC": "N4"}
# errors[].location (EligibilityCheckResponseErrorLocation) -> the 271 loop.
ERROR_LOOPS = {
    "ENVELOPE": "2000A",
    "PAYER": "2100A",
    "PROVIDER": "2100B",
    "SUBSCRIBER": "2100C",
    "SUBSCRIBER_BENEFITS": "2110C",
    "DEPENDENT": "2100D",
    "DEPENDENT_BENEFITS": "2110D",
}
# meta.subscriberTraceNumbers[].type -> TRN01.
TRACE_TYPES = {"CURRENT_TRANSACTION": "1", "REFERENCED_TRANSACTION": "2"}
GENDERS = {"FEMALE": "F", "MALE": "M", "UNKNOWN": "U"}
# dependent.relationToSubscriber -> INS02.
RELATIONSHIPS = {
    "SPOUSE": "01",
    "CHILD": "19",
    "EMPLOYEE": "20",
    "UNKNOWN": "21",
    "ORGAN_DONOR": "39",
    "CADAVER_DONOR": "40",
    "LIFE_PARTNER": "53",
    "OTHER_RELATIONSHIP": "G8",
}
# dates.<name> (a range {start, end}) -> DTP qualifiers: (range, begin only, end only).
DATE_QUALIFIERS = {
    "plan": ("291", "346", "347"),
    "eligibility": ("307", "356", "357"),
    "benefit": ("292", "348", "349"),
    "service": ("472", "472", "472"),
    "admission": ("435", "435", "435"),
    "latestVisit": ("304", "304", "304"),
}
# additionalInformation.<name> -> REF qualifier.
REFERENCES = {"plan": "18", "group": "6P"}
REFERENCE_NUMBERS = {"insurancePolicyNumber": "IG", "priorAuthNumber": "G1", "referralNumber": "9F"}


# --- the request ---------------------------------------------------------------------------


def request_body(request: EligibilityRequest, payer_id: str) -> dict[str, Any]:
    """The request as the SDK's ``CreateEligibilityCheckInput`` example has it."""
    subscriber = request.subscriber
    person = _present({"firstName": subscriber.first_name, "lastName": subscriber.last_name})
    body: dict[str, Any] = {
        "payerId": payer_id,
        "provider": {
            "name": {"organization": request.provider.organization_name},
            "npi": request.provider.npi,
        },
        "subscriber": _present(
            {
                "memberId": subscriber.member_id,
                "dateOfBirth": _iso(subscriber.date_of_birth),
                "name": {"person": person} if person else None,
            }
        ),
        "encounter": {
            "services": [{"value": code, "system": "STC"} for code in request.service_types],
            "dates": {"service": {"start": _iso(request.service_date)}},
        },
    }
    if request.dependent is not None:
        dependent = request.dependent
        body["dependent"] = _present(
            {
                "name": {
                    "person": _present(
                        {"firstName": dependent.first_name, "lastName": dependent.last_name}
                    )
                },
                "dateOfBirth": _iso(dependent.date_of_birth),
            }
        )
    return body


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value not in (None, "", {})}


# --- small readers -------------------------------------------------------------------------


def _date(value: Any, where: str) -> dt.date | None:
    text = _str(value, where)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise MappingError(f"{where} must be an ISO 8601 date") from None


def _code(table: Mapping[str, str], value: Any, where: str) -> str | None:
    """The X12 code for a documented spelled-out value; anything else is not reported."""
    text = _str(value, where)
    return table.get(text.upper()) if text else None


def _dates(block: Any, where: str) -> tuple[DateInfo, ...]:
    found = []
    for name, (both, begin, end) in DATE_QUALIFIERS.items():
        span = _dict(_dict(block, where).get(name), f"{where}.{name}")
        start = _date(span.get("start"), f"{where}.{name}.start")
        stop = _date(span.get("end"), f"{where}.{name}.end")
        raw = "-".join(d.strftime("%Y%m%d") for d in (start, stop) if d is not None)
        if start and stop:
            found.append(DateInfo(both, start, stop, raw))
        elif start:
            found.append(DateInfo(begin, start, None, raw))
        elif stop:
            found.append(DateInfo(end, stop, None, raw))
    return tuple(found)


def _references(block: Any, where: str) -> tuple[Reference, ...]:
    info = _dict(block, where)
    found = []
    for name, qualifier in REFERENCES.items():
        item = _dict(info.get(name), f"{where}.{name}")
        number = _str(item.get("number"), f"{where}.{name}.number")
        if number:
            found.append(Reference(qualifier, number, _str(item.get("name"), where)))
    for name, qualifier in REFERENCE_NUMBERS.items():
        number = _str(info.get(name), f"{where}.{name}")
        if number:
            found.append(Reference(qualifier, number))
    return tuple(found)


# --- benefits ------------------------------------------------------------------------------


def _service(raw: Any, where: str) -> tuple[tuple[str, ...], ProcedureCode | None]:
    """``service``: an STC (EB03) or a procedure code (EB13); a range is not reported."""
    item = _dict(raw, where)
    value = _str(item.get("value"), f"{where}.value")
    system = (_str(item.get("system"), f"{where}.system") or "").upper()
    if value is None:
        return (), None
    if system == "STC":
        return (value,), None
    qualifier = PROCEDURE_SYSTEMS.get(system)
    return (), (ProcedureCode(qualifier, value) if qualifier else None)


def benefit(info: str, raw: Any, where: str, plan_name: str | None) -> Benefit:
    """One entry of a plan's benefit array as the EB segment it was read from."""
    item = _dict(raw, where)
    service_types, procedure = _service(item.get("service"), f"{where}.service")
    quantity = _dict(item.get("quantity"), f"{where}.quantity")
    messages = tuple(
        text
        for text in (_str(m, f"{where}.messages") for m in _list(item.get("messages"), where))
        if text
    )
    return Benefit(
        info=info,
        coverage_level=_code(COVERAGE_LEVELS, item.get("coverageLevel"), where),
        service_types=service_types,
        plan_description=_str(item.get("planCoverageDescription"), where) or plan_name,
        time_period=_code(TIME_PERIODS, item.get("timePeriod"), where),
        amount=_decimal(item.get("amount"), f"{where}.amount"),
        percent=_decimal(item.get("percent"), f"{where}.percent"),  # already 0.2 for 20 %
        quantity_qualifier=_code(QUANTITY_QUALIFIERS, quantity.get("qualifier"), where),
        quantity=_decimal(quantity.get("value"), f"{where}.quantity.value"),
        authorization_required=_code(PRIOR_AUTH, item.get("priorAuthIndicator"), where),
        in_plan_network=_code(
            NETWORK_INDICATORS,
            _dict(item.get("network"), f"{where}.network").get("indicator"),
            where,
        ),
        procedure=procedure,
        references=_references(item.get("additionalInformation"), f"{where}.additionalInformation"),
        dates=_dates(item.get("dates"), f"{where}.dates"),
        messages=messages,
    )


def plan_benefits(plans: Any) -> tuple[Benefit, ...]:
    """Every plan's benefits, statuses first, in the order the arrays are documented."""
    found: list[Benefit] = []
    for p, raw_plan in enumerate(_list(plans, "plans")):
        plan = _dict(raw_plan, f"plans[{p}]")
        name = _str(plan.get("name"), f"plans[{p}].name")
        benefits = _dict(plan.get("benefits"), f"plans[{p}].benefits")
        for i, raw in enumerate(_list(benefits.get("statuses"), f"plans[{p}].benefits.statuses")):
            where = f"plans[{p}].benefits.statuses[{i}]"
            info = _code(STATUS_CODES, _dict(raw, where).get("status"), where)
            if info is not None:  # an undocumented status is not reported
                found.append(benefit(info, raw, where, name))
        for array, info in BENEFIT_ARRAYS.items():
            where = f"plans[{p}].benefits.{array}"
            found += [
                benefit(info, raw, f"{where}[{i}]", name)
                for i, raw in enumerate(_list(benefits.get(array), where))
            ]
    return tuple(found)


# --- the response --------------------------------------------------------------------------


def response_errors(items: Any) -> tuple[RequestError, ...]:
    """``errors[]``: the payer's AAA (code, followupAction text, location)."""
    found = []
    for index, raw in enumerate(_list(items, "errors")):
        item = _dict(raw, f"errors[{index}]")
        code = _str(item.get("code"), f"errors[{index}].code")
        if code is None:
            continue
        follow_up = follow_up_code(item.get("followupAction"), f"errors[{index}].followupAction")
        loop = ERROR_LOOPS.get((_str(item.get("location"), "errors") or "").upper(), "2100C")
        found.append(request_error(loop, False, code.upper(), follow_up))
    return tuple(found)


def _name(raw: Any, where: str) -> Mapping[str, Any]:
    return _dict(_dict(raw, where).get("person"), f"{where}.person")


def _member(
    raw: Any,
    where: str,
    loop: str,
    *,
    benefits: tuple[Benefit, ...],
    traces: tuple[Trace, ...],
    errors: tuple[RequestError, ...],
) -> MemberResult:
    item = _dict(raw, where)
    person = _name(item.get("name"), f"{where}.name")
    address = _dict(item.get("address"), f"{where}.address")
    return MemberResult(
        loop=loop,
        first_name=_str(person.get("firstName"), where),
        last_name=_str(person.get("lastName"), where),
        middle_name=_str(person.get("middleName"), where),
        member_id=_str(item.get("memberId"), f"{where}.memberId"),
        date_of_birth=_date(item.get("dateOfBirth"), f"{where}.dateOfBirth"),
        gender=_code(GENDERS, item.get("gender"), where),
        relationship_code=_code(RELATIONSHIPS, item.get("relationToSubscriber"), where),
        traces=traces,
        references=_references(item.get("additionalInformation"), f"{where}.additionalInformation"),
        dates=_dates(item.get("dates"), f"{where}.dates"),
        errors=errors,
        benefits=benefits,
        address_lines=tuple(
            line
            for line in (
                _str(address.get("addressLine1"), where),
                _str(address.get("addressLine2"), where),
            )
            if line
        ),
        city=_str(address.get("city"), where),
        state=_str(address.get("state"), where),
        postal_code=_str(address.get("postalCode"), where),
    )


def _traces(meta: Mapping[str, Any]) -> tuple[Trace, ...]:
    found = []
    for index, raw in enumerate(_list(meta.get("subscriberTraceNumbers"), "meta")):
        item = _dict(raw, f"meta.subscriberTraceNumbers[{index}]")
        number = _str(item.get("referenceIdentification"), "meta.subscriberTraceNumbers")
        trace_type = _code(TRACE_TYPES, item.get("type"), "meta.subscriberTraceNumbers")
        if number and trace_type:
            found.append(
                Trace(
                    trace_type,
                    number,
                    _str(item.get("originatingCompanyIdentifier"), "meta"),
                    _str(item.get("secondaryReferenceIdentification"), "meta"),
                )
            )
    return tuple(found)


def to_result(data: Any, request: EligibilityRequest) -> EligibilityResult:
    """The domain result; benefits belong to the patient (the dependent when we asked for one)."""
    body = _dict(data, "response")
    benefits = plan_benefits(body.get("plans"))
    errors = response_errors(body.get("errors"))
    payer_errors = tuple(e for e in errors if e.loop in ("2000A", "2100A"))
    provider_errors = tuple(e for e in errors if e.loop == "2100B")
    dependent_errors = tuple(e for e in errors if e.loop in ("2100D", "2110D"))
    subscriber_errors = tuple(
        e for e in errors if e not in payer_errors + provider_errors + dependent_errors
    )
    traces = _traces(_dict(body.get("meta"), "meta"))
    for_dependent = request.dependent is not None and body.get("dependent") is not None
    subscriber = None
    if body.get("subscriber") is not None:
        subscriber = _member(
            body.get("subscriber"),
            "subscriber",
            "2100C",
            benefits=() if for_dependent else benefits,
            traces=traces,
            errors=subscriber_errors + (() if for_dependent else dependent_errors),
        )
    elif not for_dependent:
        payer_errors += subscriber_errors + dependent_errors
    dependent = None
    if for_dependent:
        dependent = _member(
            body.get("dependent"),
            "dependent",
            "2100D",
            benefits=benefits,
            traces=traces,
            errors=dependent_errors,
        )
    payer_block = _dict(body.get("payer"), "payer")
    provider_block = _dict(body.get("provider"), "provider")
    payer = Party(
        name=_str(_dict(payer_block.get("name"), "payer.name").get("organization"), "payer.name"),
        id_qualifier="PI",
        identifier=_str(body.get("payerId") or payer_block.get("identification"), "payerId"),
        errors=payer_errors,
    )
    provider = Party(
        name=_str(
            _dict(provider_block.get("name"), "provider.name").get("organization"), "provider.name"
        ),
        id_qualifier="XX",
        identifier=_str(provider_block.get("npi"), "provider.npi"),
        errors=provider_errors,
    )
    if subscriber is None and dependent is None and not (payer.errors or provider.errors):
        raise MappingError("response names neither a subscriber nor any error")
    return EligibilityResult(
        payer=payer,
        provider=provider,
        subscriber=subscriber,
        dependent=dependent,
        version=f"stedi-{API_VERSION}",
        control_number=None,  # the redesigned response has no controlNumber; ``id`` is Stedi's
    )

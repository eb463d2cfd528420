"""The fhir adapter: an R4 CoverageEligibilityRequest, POSTed to its ``$submit`` operation.

The URL is ``[base]/CoverageEligibilityRequest/$submit``; ``base`` is the entry's endpoint.

Resources are built and validated with ``fhir.resources``' R4B models (R4B left the
financial resources as R4 had them; the package's default is R5): the request we send is
valid by construction, and a response that breaks the R4 schema is PayerResponseInvalid
with only the failing field paths in the message (pydantic echoes input values: PHI).

Benefit mapping (CoverageEligibilityResponse.insurance.item → domain Benefits, docs/design.md §7):

* ``insurance.benefitPeriod`` start/end → plan begin/end (DTP 346/347).
* ``insurance.inforce`` true/false → EB01 1 / 6 on the items' service types (else 30);
  ``item.excluded`` → I (non-covered).
* ``item.category`` codes in the X12 STC system (or bare codes) → EB03; ``network``
  in/out → EB12 Y/N (absent: unknown); ``unit`` individual/family → IND/FAM; ``term``
  annual/day/lifetime → EB06 23/7/32; ``authorizationRequired`` → EB11 Y/N;
  ``description`` → a message.
* ``benefit.type`` deductible → C, out-of-pocket (oop, stop-loss) → G, benefit (maximum)
  → F: ``allowedMoney`` is the total (EB06 from term, else 23), ``usedMoney`` alone is
  "met so far" (24), and remaining (29) = allowed - used only when both are present.
* copay → B with ``allowedMoney`` (per visit, EB06 27, unless a term is given).
* copay-percent / coinsurance → A with ``allowedUnsignedInt`` (or a "20%" string) as a
  fraction (20 → 0.20, the patient's share).
* visit → F with EB09 VS: ``allowedUnsignedInt`` total, remaining when ``used`` is too.
* other types are kept as messages only: nothing is guessed.

``OperationOutcome`` (as the body of an error status, a 200, or in ``response.error``):
issue codes transient/timeout/throttled/busy → PayerUnavailable; security/login/forbidden
→ PayerAuthError; not-found → AAA 75 (not found); invalid/required/value/structure → AAA
33 (fix input); anything else → payer_rejected. An X12 AAA code in ``details.coding``
wins over the issue code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from config.settings import Settings
from verifier.domain import (
    Benefit,
    DateInfo,
    EligibilityRequest,
    EligibilityResult,
    MemberResult,
    Party,
    Reference,
    RequestError,
    RetryClass,
    Trace,
)
from verifier.payers.base import (
    CheckOutcome,
    Exchange,
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.payers.classify import check_correlation, classify
from verifier.payers.credentials import optional_secret
from verifier.payers.directory import PayerEntry
from verifier.payers.transport import HttpReply, HttpTransport, pool_size, raise_for_status
from verifier.x12.aaa import request_error

STC_SYSTEM = "https://x12.org/codes/service-type-codes"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
TRACE_SYSTEM = "urn:verifier:trace-number"
RELATIONSHIP_SYSTEM = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
FHIR_JSON = "application/fhir+json"
TERMS = {"annual": "23", "day": "7", "lifetime": "32", "visit": "27"}
UNITS = {"individual": "IND", "family": "FAM"}
NETWORK = {"in": "Y", "out": "N"}
TOTALLED = {"deductible": "C", "out-of-pocket": "G", "oop": "G", "stop-loss": "G", "benefit": "F"}
PERCENT = {"copay-percent", "coinsurance"}
RELATIONSHIPS = {"self": "self", "spouse": "spouse", "child": "child", "other": "other"}
UNAVAILABLE_ISSUES = {"transient", "timeout", "throttled", "busy", "incomplete", "lock-error"}
AUTH_ISSUES = {"security", "login", "forbidden", "unknown", "expired", "suppressed"}
NOT_FOUND_ISSUES = {"not-found", "deleted"}
FIX_INPUT_ISSUES = {"invalid", "structure", "required", "value", "invariant", "business-rule"}


def _fhir_models() -> tuple[Any, Any, Any]:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.coverageeligibilityrequest import CoverageEligibilityRequest
    from fhir.resources.R4B.coverageeligibilityresponse import CoverageEligibilityResponse

    return CoverageEligibilityRequest, CoverageEligibilityResponse, Bundle


def request_resource(request: EligibilityRequest) -> dict[str, Any]:
    """The CoverageEligibilityRequest with its Patient, Coverage and Organizations contained."""
    model, _, _ = _fhir_models()
    patient = request.patient
    subscriber = request.subscriber
    categories = request.service_types or ("30",)
    resource = {
        "resourceType": "CoverageEligibilityRequest",
        "identifier": [{"system": TRACE_SYSTEM, "value": request.trace_number}],
        "status": "active",
        "purpose": ["benefits"],
        "patient": {"reference": "#patient"},
        "servicedDate": request.service_date.isoformat(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "insurer": {"reference": "#insurer"},
        "provider": {"reference": "#provider"},
        "insurance": [{"focal": True, "coverage": {"reference": "#coverage"}}],
        "item": [
            {"category": {"coding": [{"system": STC_SYSTEM, "code": code}]}} for code in categories
        ],
        "contained": [
            {
                "resourceType": "Patient",
                "id": "patient",
                # An alternate search (verifications.matching) may leave the first name out.
                "name": [
                    {"family": patient.last_name, "given": [patient.first_name]}
                    if patient.first_name
                    else {"family": patient.last_name}
                ],
                "birthDate": patient.date_of_birth.isoformat(),
            },
            {
                "resourceType": "Organization",
                "id": "insurer",
                "identifier": [{"value": request.payer_id}],
                "name": request.payer_name,
            },
            {
                "resourceType": "Organization",
                "id": "provider",
                "identifier": [{"system": NPI_SYSTEM, "value": request.provider.npi}],
                "name": request.provider.organization_name,
            },
            {
                "resourceType": "Coverage",
                "id": "coverage",
                "status": "active",
                "subscriberId": subscriber.member_id,
                "beneficiary": {"reference": "#patient"},
                "relationship": {
                    "coding": [
                        {
                            "system": RELATIONSHIP_SYSTEM,
                            "code": RELATIONSHIPS[request.relationship.value],
                        }
                    ]
                },
                "payor": [{"reference": "#insurer"}],
                **(
                    {
                        "class": [
                            {"type": {"coding": [{"code": "group"}]}, "value": request.group_number}
                        ]
                    }
                    if request.group_number
                    else {}
                ),
            },
        ],
    }
    validated = model.model_validate(resource)
    dumped: dict[str, Any] = json.loads(validated.model_dump_json(exclude_none=True))
    return dumped


def _codes(concept: Any) -> list[str]:
    if not isinstance(concept, Mapping):
        return []
    return [str(c["code"]) for c in concept.get("coding") or [] if c.get("code")]


def _first(concept: Any) -> str | None:
    found = _codes(concept)
    return found[0].casefold() if found else None


def _money(value: Any) -> Decimal | None:
    """Dollars only: an amount in another currency is not a number we may show as one."""
    if isinstance(value, Mapping) and value.get("value") is not None:
        if str(value.get("currency") or "USD").upper() != "USD":
            return None
        return Decimal(str(value["value"]))
    return None


def _money_text(value: Any) -> str:
    if isinstance(value, Mapping) and value.get("value") is not None:
        return f"{value['value']} {value.get('currency') or ''}".strip()
    return ""


def _percent(benefit: Mapping[str, Any]) -> Decimal | None:
    if benefit.get("allowedUnsignedInt") is not None:
        return Decimal(benefit["allowedUnsignedInt"]) / 100
    text = str(benefit.get("allowedString") or "").strip()
    if text.endswith("%"):
        try:
            return Decimal(text[:-1].strip()) / 100
        except InvalidOperation:
            return None
    return None


def _item_benefits(item: Mapping[str, Any]) -> list[Benefit]:
    """One item's Benefits; its description and unmapped values are notes, once, after them.

    Notes used to ride on every Benefit of the item (the description counted N times), and
    a value of an unmapped type only reached the Benefits read after it.
    """
    stcs = tuple(c.upper() for c in _codes(item.get("category"))) or ("30",)
    common: dict[str, Any] = {
        "coverage_level": UNITS.get(_first(item.get("unit")) or ""),
        "service_types": stcs,
        "in_plan_network": NETWORK.get(_first(item.get("network")) or ""),
        "authorization_required": (
            None
            if item.get("authorizationRequired") is None
            else ("Y" if item["authorizationRequired"] else "N")
        ),
    }
    notes: list[str] = [str(item["description"])] if item.get("description") else []
    term = TERMS.get(_first(item.get("term")) or "")
    if item.get("excluded"):
        return [Benefit("I", messages=tuple(notes), **common)]
    found: list[Benefit] = []
    for benefit in item.get("benefit") or []:
        kind = _first(benefit.get("type")) or ""
        allowed, used = _money(benefit.get("allowedMoney")), _money(benefit.get("usedMoney"))
        if kind in TOTALLED and (allowed is not None or used is not None):
            code = TOTALLED[kind]
            if allowed is not None:
                found.append(Benefit(code, time_period=term or "23", amount=allowed, **common))
            if allowed is not None and used is not None:
                found.append(Benefit(code, time_period="29", amount=allowed - used, **common))
            elif used is not None:
                found.append(Benefit(code, time_period="24", amount=used, **common))
        elif kind == "copay" and allowed is not None:
            found.append(Benefit("B", time_period=term or "27", amount=allowed, **common))
        elif kind in PERCENT and _percent(benefit) is not None:
            found.append(Benefit("A", time_period=term, percent=_percent(benefit), **common))
        elif kind == "visit" and benefit.get("allowedUnsignedInt") is not None:
            total = Decimal(benefit["allowedUnsignedInt"])
            visits = {"quantity_qualifier": "VS", **common}
            found.append(Benefit("F", time_period=term or "23", quantity=total, **visits))
            if benefit.get("usedUnsignedInt") is not None:
                left = total - Decimal(benefit["usedUnsignedInt"])
                found.append(Benefit("F", time_period="29", quantity=left, **visits))
        elif kind:
            value = (
                _money_text(benefit.get("allowedMoney"))
                or benefit.get("allowedString")
                or benefit.get("allowedUnsignedInt")
                or ""
            )
            notes.append(f"{kind}: {value}".strip())
    if notes and found:
        last = found[-1]
        found[-1] = dataclasses.replace(last, messages=(*last.messages, *notes))
    elif notes:
        found.append(Benefit("D", messages=tuple(notes), **common))
    return found


def _issue_error(issue: Mapping[str, Any]) -> tuple[str, RequestError | None]:
    """(issue code, the AAA it stands for) for one OperationOutcome issue."""
    code = str(issue.get("code") or "").casefold()
    details = issue.get("details") or {}
    for coding in details.get("coding") or []:
        value = str(coding.get("code") or "")
        if "x12" in str(coding.get("system") or "").casefold() and value:
            return code, request_error("2100C", False, value.upper(), None)
    if code in NOT_FOUND_ISSUES:
        return code, request_error("2100C", False, "75", None)
    if code in FIX_INPUT_ISSUES:
        return code, request_error("2100C", False, "33", "C")
    return code, None


def raise_for_outcome(outcome: Mapping[str, Any], exchange: Exchange) -> None:
    """Raise the typed error an OperationOutcome with errors stands for; pass warnings."""
    issues = [
        i for i in outcome.get("issue") or [] if i.get("severity") in ("fatal", "error", None)
    ]
    if not issues:
        return
    read = [_issue_error(issue) for issue in issues]
    codes = {code for code, _ in read}
    errors = tuple(error for _, error in read if error is not None)
    if codes & AUTH_ISSUES and not errors:
        raise PayerAuthError("FHIR server refused our credentials", exchange=exchange)
    if errors:
        raise PayerRejected("FHIR server rejected the request", errors=errors, exchange=exchange)
    if codes & UNAVAILABLE_ISSUES:
        raise PayerUnavailable("FHIR server unable to respond now", exchange=exchange)
    raise PayerRejected(
        "FHIR server rejected the request",
        errors=(request_error("2100A", False, "79", None),),
        exchange=exchange,
    )


def _validated(data: Mapping[str, Any], exchange: Exchange) -> dict[str, Any]:
    """The CoverageEligibilityResponse in ``data`` (bare or first in a Bundle), schema-checked."""
    _, response_model, bundle_model = _fhir_models()
    try:
        if data.get("resourceType") == "Bundle":
            bundle = bundle_model.model_validate(data)
            for entry in bundle.entry or []:
                resource = entry.resource
                kind = getattr(resource, "get_resource_type", lambda: "")()
                if kind == "OperationOutcome":
                    raise_for_outcome(json.loads(resource.model_dump_json()), exchange)
                if kind == "CoverageEligibilityResponse":
                    return dict(json.loads(resource.model_dump_json(exclude_none=True)))
            raise PayerResponseInvalid(
                "FHIR Bundle holds no CoverageEligibilityResponse", exchange=exchange
            )
        validated = response_model.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in error["loc"]) for error in exc.errors()})
        raise PayerResponseInvalid(
            f"FHIR response fails the R4 schema at {', '.join(fields)[:150]}", exchange=exchange
        ) from None
    return dict(json.loads(validated.model_dump_json(exclude_none=True)))


# HL7 adjudication-error (http://terminology.hl7.org/CodeSystem/adjudication-error).
ADJUDICATION_ERRORS = {"a001": "Missing Identifier", "a002": "Missing Creation Date"}
ADJUDICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/adjudication-error"


def _response_error(error: Mapping[str, Any]) -> RequestError:
    """An X12 AAA code when the server sends one; else the FHIR error as itself, to fix."""
    concept = error.get("code") or {}
    for coding in concept.get("coding") or []:
        code = str(coding.get("code") or "")
        if code and "x12" in str(coding.get("system") or "").casefold():
            return request_error("2100C", False, code.upper(), None)
    coding = (concept.get("coding") or [{}])[0]
    code = str(coding.get("code") or "unknown")
    description = (
        ADJUDICATION_ERRORS.get(code)
        or coding.get("display")
        or concept.get("text")
        or "FHIR adjudication error"
    )
    return RequestError(
        loop="FHIR",
        valid_request=False,
        reject_code=f"FHIR-{code}"[:20],
        reject_description=str(description)[:200],
        follow_up=None,
        follow_up_description=None,
        retry_class=RetryClass.FIX_INPUT,
    )


def _contained_coverage(
    response: Mapping[str, Any], coverage: Mapping[str, Any]
) -> Mapping[str, Any]:
    reference = str(coverage.get("reference") or "")
    if not reference.startswith("#"):
        return {}
    for resource in response.get("contained") or []:
        if resource.get("resourceType") == "Coverage" and resource.get("id") == reference[1:]:
            found: Mapping[str, Any] = resource
            return found
    return {}


def _coverage_class(coverage: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    for item in coverage.get("class") or []:
        if kind in _codes(item.get("type")):
            found: Mapping[str, Any] = item
            return found
    return None


def _plan_period(period: Mapping[str, Any]) -> DateInfo:
    start = _iso_date(period.get("start"))
    end = _iso_date(period.get("end"))
    raw = "-".join(d.strftime("%Y%m%d") for d in (start, end) if d is not None)
    return DateInfo("291", start, end, raw)


def _iso_date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def to_result(response: Mapping[str, Any], request: EligibilityRequest) -> EligibilityResult:
    benefits: list[Benefit] = []
    plan = None
    references: list[Reference] = []
    dates: list[DateInfo] = []
    for insurance in response.get("insurance") or []:
        coverage = insurance.get("coverage") or {}
        contained = _contained_coverage(response, coverage)
        plan_class, group_class = (
            _coverage_class(contained, "plan"),
            _coverage_class(contained, "group"),
        )
        plan = plan or coverage.get("display") or (plan_class or {}).get("name")
        if plan_class and plan_class.get("value") and not references:
            references.append(Reference("18", str(plan_class["value"]), plan_class.get("name")))
        if group_class and group_class.get("value"):
            references.append(Reference("6P", str(group_class["value"]), group_class.get("name")))
        period = insurance.get("benefitPeriod") or contained.get("period") or {}
        if period and not dates:
            dates.append(_plan_period(period))
        items = insurance.get("item") or []
        stcs = tuple(
            dict.fromkeys(c.upper() for i in items for c in _codes(i.get("category")))
        ) or ("30",)
        inforce = insurance.get("inforce")
        if inforce is not None:
            benefits.append(Benefit("1" if inforce else "6", "IND", stcs, plan_description=plan))
        for item in items:
            benefits.extend(_item_benefits(item))
    errors = tuple(_response_error(error) for error in response.get("error") or [])
    traces: tuple[Trace, ...] = ()
    request_ref = response.get("request") or {}
    identifier = request_ref.get("identifier") or {}
    if identifier.get("system") == TRACE_SYSTEM and identifier.get("value"):
        traces = (Trace("2", str(identifier["value"])),)
    patient = MemberResult(
        loop="2100D" if request.dependent is not None else "2100C",
        first_name=request.patient.first_name,
        last_name=request.patient.last_name,
        member_id=request.subscriber.member_id if request.dependent is None else None,
        traces=traces,
        references=tuple(references) or ((Reference("18", plan),) if plan else ()),
        dates=tuple(dates),
        errors=errors,
        benefits=tuple(benefits),
    )
    insurer = response.get("insurer") or {}
    if request.dependent is not None:
        subscriber = MemberResult("2100C", member_id=request.subscriber.member_id, traces=traces)
        return EligibilityResult(
            Party(insurer.get("display")),
            subscriber=subscriber,
            dependent=patient,
            version="fhir-r4",
        )
    return EligibilityResult(Party(insurer.get("display")), subscriber=patient, version="fhir-r4")


class FhirAdapter:
    name = "fhir"

    def __init__(self, entry: PayerEntry, settings: Settings) -> None:
        if not entry.endpoint:
            raise PayerAuthError(f"payers.{entry.id}.endpoint is not set")
        self.entry = entry
        self.url = entry.endpoint.rstrip("/") + "/CoverageEligibilityRequest/$submit"
        self.transport = HttpTransport(
            timeout=entry.timeout or settings.payer_timeout,
            pool=pool_size(settings, entry.max_concurrency),
        )

    def check(self, request: EligibilityRequest) -> CheckOutcome:
        payload = json.dumps(request_resource(request))
        exchange = Exchange(request=payload)
        headers = {"Content-Type": FHIR_JSON, "Accept": FHIR_JSON}
        token = optional_secret(self.entry, "bearer_token")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        reply = self.transport.send(
            "POST", self.url, body=payload.encode(), headers=headers, exchange=exchange
        )
        exchange = Exchange(request=payload, response=reply.text)
        data = _json(reply)
        if isinstance(data, Mapping) and data.get("resourceType") == "OperationOutcome":
            if reply.status >= 500 or reply.status == 429:
                raise_for_status(reply, exchange)
            raise_for_outcome(data, exchange)
        raise_for_status(reply, exchange)
        if not isinstance(data, Mapping):
            raise PayerResponseInvalid("FHIR server answered without JSON", exchange=exchange)
        if data.get("resourceType") == "OperationOutcome":
            raise PayerResponseInvalid("FHIR server answered with no response", exchange=exchange)
        if data.get("resourceType") not in ("CoverageEligibilityResponse", "Bundle"):
            raise PayerResponseInvalid(
                "FHIR server answered another resource type", exchange=exchange
            )
        response = _validated(data, exchange)
        if response.get("outcome") == "error" and not response.get("insurance"):
            errors = to_result(response, request).errors
            if not errors:
                raise PayerRejected(
                    "FHIR server reported an error outcome",
                    errors=(request_error("2100A", False, "79", None),),
                    exchange=exchange,
                )
        result = to_result(response, request)
        check_correlation(request, result, exchange)
        return classify(result, exchange)


def _json(reply: HttpReply) -> Any:
    if not reply.body.strip():
        return None
    try:
        return json.loads(reply.body)
    except ValueError:
        return None

"""A verification as a FHIR R4 CoverageEligibilityResponse, for an EHR (issue 20).

Pure: the verification's facts in, a resource (validated with ``fhir.resources``' R4B
models, as the fhir adapter does: R4B left the financial resources as R4 had them) out.
The vocabulary is the one our own FHIR adapter reads (``verifier.payers.fhir``), so an
export read back by that adapter gives the same summary:

* ``insurance.inforce``: coverage active/inactive (absent when unknown);
  ``insurance.coverage.display``: the plan name; ``insurance.benefitPeriod``: plan dates.
* one item per network tier and unit, in the program's service type (the most specific
  code of its ladder, X12 STC system): ``individual`` carries the individual deductible and
  out-of-pocket (``allowedMoney`` the total, ``usedMoney`` = total - remaining),
  coinsurance (``allowedUnsignedInt`` percent, or "12.5%") and ``authorizationRequired``;
  ``family`` the family accumulators; a copay has its own item whose ``term`` says per
  what (visit, day); a tier reported not covered is an ``excluded`` item.
* the visit limit is an item without a network: ``visit`` with allowed and used units.

What this vocabulary cannot say is left out rather than bent: a remaining amount without
its total, a copay per admission or episode, the group number (it is on the contained
Coverage), visits used without the limit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from verifier.coverage.model import (
    Accumulator,
    CoverageStatus,
    CoverageSummary,
    TierBenefits,
)
from verifier.domain import Relationship
from verifier.payers.fhir import NPI_SYSTEM, RELATIONSHIP_SYSTEM, STC_SYSTEM, TRACE_SYSTEM
from verifier.store.records import MemberRecord

NETWORK_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-network"
UNIT_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-unit"
TERM_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-term"
BENEFIT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-type"
VERIFICATION_SYSTEM = "urn:verifier:verification"
COPAY_TERMS = {"visit": "visit", "day": "day"}
OUTCOMES = {"completed": "complete", "needs_review": "complete", "failed": "error"}


@dataclass(frozen=True)
class ExportedVerification:
    """What the export needs to know about one verification (PHI: staff use only)."""

    id: str
    status: str
    created_at: dt.datetime
    service_date: dt.date
    payer_id: str
    payer_name: str
    provider_npi: str
    provider_name: str
    service_type: str  # the program's most specific STC (its ladder's first rung)
    trace_number: str | None
    member: MemberRecord | None  # None once the retention purge erased it
    summary: CoverageSummary | None
    error_codes: tuple[str, ...] = ()


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _money(value: Decimal) -> dict[str, Any]:
    return {"value": float(value), "currency": "USD"}


def _accumulator_benefits(kind: str, amounts: Any) -> list[dict[str, Any]]:
    if amounts.total is None:
        return []  # allowed/used cannot say "remaining" alone
    benefit: dict[str, Any] = {
        "type": _concept(BENEFIT_TYPE_SYSTEM, kind),
        "allowedMoney": _money(amounts.total),
    }
    if amounts.remaining is not None:
        benefit["usedMoney"] = _money(max(amounts.total - amounts.remaining, Decimal(0)))
    return [benefit]


def _percent(share: Decimal) -> dict[str, Any]:
    percent = share * 100
    if percent == percent.to_integral_value():
        return {"allowedUnsignedInt": int(percent)}
    return {"allowedString": f"{format(percent.normalize(), 'f')}%"}


def _item(
    service_type: str, network: str | None, unit: str | None, **fields: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {"category": _concept(STC_SYSTEM, service_type)}
    if network is not None:
        item["network"] = _concept(NETWORK_SYSTEM, network)
    if unit is not None:
        item["unit"] = _concept(UNIT_SYSTEM, unit)
    return item | {k: v for k, v in fields.items() if v is not None}


def _accumulators(level: str, deductible: Accumulator, oop: Accumulator) -> list[dict[str, Any]]:
    return [
        *_accumulator_benefits("deductible", getattr(deductible, level)),
        *_accumulator_benefits("out-of-pocket", getattr(oop, level)),
    ]


def _tier_items(
    service_type: str, network: str, tier: TierBenefits, preauth: bool | None
) -> list[dict[str, Any]]:
    if tier.covered is False:
        return [_item(service_type, network, "individual", excluded=True)]
    items: list[dict[str, Any]] = []
    individual = _accumulators("individual", tier.deductible, tier.out_of_pocket)
    if tier.coinsurance is not None:
        individual.append(
            {"type": _concept(BENEFIT_TYPE_SYSTEM, "coinsurance"), **_percent(tier.coinsurance)}
        )
    if individual or preauth is not None:
        items.append(
            _item(
                service_type,
                network,
                "individual",
                authorizationRequired=preauth,
                benefit=individual or None,
            )
        )
    family = _accumulators("family", tier.deductible, tier.out_of_pocket)
    if family:
        items.append(_item(service_type, network, "family", benefit=family))
    copay = tier.copay
    if copay.amount is not None and (copay.per is None or copay.per in COPAY_TERMS):
        term = _concept(TERM_SYSTEM, COPAY_TERMS[copay.per]) if copay.per else None
        benefit = [
            {"type": _concept(BENEFIT_TYPE_SYSTEM, "copay"), "allowedMoney": _money(copay.amount)}
        ]
        items.append(_item(service_type, network, "individual", term=term, benefit=benefit))
    return items


def _items(exported: ExportedVerification, summary: CoverageSummary) -> list[dict[str, Any]]:
    stc = exported.service_type
    preauth = summary.preauthorization.required
    items = _tier_items(stc, "in", summary.in_network, preauth)
    items += _tier_items(stc, "out", summary.out_of_network, None)
    visits = summary.visit_limit
    if visits.allowed is not None:
        benefit: dict[str, Any] = {
            "type": _concept(BENEFIT_TYPE_SYSTEM, "visit"),
            "allowedUnsignedInt": visits.allowed,
        }
        used = visits.used
        if used is None and visits.remaining is not None:
            used = max(visits.allowed - visits.remaining, 0)
        if used is not None:
            benefit["usedUnsignedInt"] = used
        items.append(_item(stc, None, None, benefit=[benefit]))
    return items


def _insurance(exported: ExportedVerification) -> list[dict[str, Any]]:
    summary = exported.summary
    if summary is None:
        return []
    insurance: dict[str, Any] = {
        "coverage": {"reference": "#coverage"},
        "item": _items(exported, summary),
    }
    if summary.coverage.plan_name:
        insurance["coverage"]["display"] = summary.coverage.plan_name
    period = {
        key: value.isoformat()
        for key, value in (
            ("start", summary.coverage.plan_begin),
            ("end", summary.coverage.plan_end),
        )
        if value is not None
    }
    if period:
        insurance["benefitPeriod"] = period
    if summary.coverage.status is not CoverageStatus.UNKNOWN:
        insurance["inforce"] = summary.coverage.status is CoverageStatus.ACTIVE
    if not insurance["item"]:
        del insurance["item"]
    return [insurance]


def _contained(exported: ExportedVerification) -> list[dict[str, Any]]:
    member = exported.member
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "patient"}
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": "coverage",
        "status": "active",
        "beneficiary": {"reference": "#patient"},
        "payor": [{"reference": "#insurer"}],
    }
    if member is not None:
        patient |= {
            "name": [{"family": member.last_name, "given": [member.first_name]}],
            "birthDate": member.date_of_birth.isoformat(),
        }
        subscriber_id = (
            member.member_id if member.subscriber is None else member.subscriber.member_id
        )
        relationship = member.relationship or Relationship.SELF
        coverage |= {
            "subscriberId": subscriber_id,
            "relationship": _concept(RELATIONSHIP_SYSTEM, relationship.value),
        }
        if member.group_number:
            coverage["class"] = [
                {"type": {"coding": [{"code": "group"}]}, "value": member.group_number}
            ]
    return [
        patient,
        coverage,
        {
            "resourceType": "Organization",
            "id": "insurer",
            "identifier": [{"value": exported.payer_id}],
            "name": exported.payer_name,
        },
        {
            "resourceType": "Organization",
            "id": "provider",
            "identifier": [{"system": NPI_SYSTEM, "value": exported.provider_npi}],
            "name": exported.provider_name,
        },
    ]


def coverage_eligibility_response(exported: ExportedVerification) -> dict[str, Any]:
    """The verification as a validated R4 CoverageEligibilityResponse (JSON-ready)."""
    from fhir.resources.R4B.coverageeligibilityresponse import CoverageEligibilityResponse

    request: dict[str, Any] = {"identifier": {"system": VERIFICATION_SYSTEM, "value": exported.id}}
    if exported.trace_number:
        request = {"identifier": {"system": TRACE_SYSTEM, "value": exported.trace_number}}
    resource: dict[str, Any] = {
        "resourceType": "CoverageEligibilityResponse",
        "id": exported.id,
        "identifier": [{"system": VERIFICATION_SYSTEM, "value": exported.id}],
        "status": "active",
        "purpose": ["benefits"],
        "patient": {"reference": "#patient"},
        "servicedDate": exported.service_date.isoformat(),
        "created": exported.created_at.isoformat(timespec="seconds"),
        "request": request,
        "outcome": OUTCOMES.get(exported.status, "queued"),
        "disposition": exported.status,
        "insurer": {"reference": "#insurer", "display": exported.payer_name},
        "requestor": {"reference": "#provider"},
        "contained": _contained(exported),
        "insurance": _insurance(exported),
        "error": [
            {"code": _concept("https://x12.org/codes/aaa-reject-reason-codes", code)}
            for code in exported.error_codes
        ],
    }
    for key in ("insurance", "error"):
        if not resource[key]:
            del resource[key]
    validated = CoverageEligibilityResponse.model_validate(resource)
    dumped: dict[str, Any] = json.loads(validated.model_dump_json(exclude_none=True))
    return dumped

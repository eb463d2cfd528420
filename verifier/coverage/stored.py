"""A stored summary read back into a CoverageSummary: the exact inverse of ``to_dict``.

A verification's answer is kept as ``CoverageSummary.to_dict()`` JSON. Whatever compares
or reports on stored answers (a re-check's diff, the batch CSV) reads them back through
here, so it works on typed facts instead of string paths into a dict, and a change to the
shape breaks one round-trip test instead of a report. Keys a summary stored before a part
existed may lack read as "not reported", never as a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from verifier.coverage.model import (
    Accumulator,
    Administrator,
    Amounts,
    Assumption,
    CarveOut,
    Copay,
    Coverage,
    CoverageStatus,
    CoverageSummary,
    Eligibility,
    ErrorItem,
    Estimate,
    Matching,
    Network,
    NetworkStatus,
    PlaceBenefits,
    Preauthorization,
    Tier,
    TierBenefits,
    VisitLimit,
)
from verifier.domain import Condition, LevelOfCare


class StoredSummaryError(ValueError):
    """The stored JSON is not a summary's shape (a manual entry, or damaged data)."""


def _map(data: Any) -> Mapping[str, Any]:
    return data if isinstance(data, Mapping) else {}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _amounts(data: Any) -> Amounts:
    data = _map(data)
    return Amounts(_decimal(data.get("total")), _decimal(data.get("remaining")))


def _accumulator(data: Any) -> Accumulator:
    data = _map(data)
    return Accumulator(_amounts(data.get("individual")), _amounts(data.get("family")))


def _tier(data: Any) -> TierBenefits:
    data = _map(data)
    return TierBenefits(
        covered=data.get("covered"),
        copay=_copay(data.get("copay")),
        coinsurance=_decimal(data.get("coinsurance")),
        deductible=_accumulator(data.get("deductible")),
        out_of_pocket=_accumulator(data.get("out_of_pocket")),
    )


def _copay(data: Any) -> Copay:
    copay = _map(data)
    return Copay(_decimal(copay.get("amount")), copay.get("per"))


def _eligibility(data: Any) -> Eligibility | None:
    if not isinstance(data, Mapping):
        return None
    return Eligibility(_date(data.get("begin")), _date(data.get("end")))


def _places(data: Any) -> tuple[PlaceBenefits, ...]:
    return tuple(
        PlaceBenefits(
            place=str(item["place"]),
            tier=Tier(item["tier"]),
            program_place=bool(item.get("program_place")),
            copay=_copay(item.get("copay")),
            coinsurance=_decimal(item.get("coinsurance")),
        )
        for item in data or ()
        if isinstance(item, Mapping)
    )


def _estimate(data: Any) -> Estimate:
    data = _map(data)
    return Estimate(
        sessions=data.get("sessions"),
        patient_cost_low=_decimal(data.get("patient_cost_low")),
        patient_cost_high=_decimal(data.get("patient_cost_high")),
        assumptions=tuple(data.get("assumptions") or ()),
        assumption_keys=tuple(
            Assumption(item["key"], tuple(_map(item.get("fields")).items()))
            for item in data.get("assumption_keys") or ()
        ),
    )


def _administrator(data: Any) -> Administrator | None:
    if not isinstance(data, Mapping):
        return None
    return Administrator(data.get("name"), data.get("payer_id"), data.get("phone"))


def _carve_out(data: Any) -> CarveOut | None:
    if not isinstance(data, Mapping):
        return None
    payer_id = str(data.get("payer_id") or "")
    if "coverage" not in data:
        return CarveOut(payer_id, None, data.get("error"))
    return CarveOut(payer_id, summary_from_dict(data))


def _matching(data: Any) -> Matching | None:
    if not isinstance(data, Mapping) or not data.get("step"):
        return None
    return Matching(
        str(data["step"]), str(data.get("corrected") or ""), int(data.get("extra_calls") or 0)
    )


def summary_from_dict(data: Mapping[str, Any]) -> CoverageSummary:
    """The CoverageSummary whose ``to_dict()`` is ``data`` (see the module docstring)."""
    if not isinstance(data, Mapping) or "coverage" not in data or "level_of_care" not in data:
        raise StoredSummaryError("not a stored coverage summary")
    coverage = _map(data.get("coverage"))
    network = _map(data.get("network"))
    preauth = _map(data.get("preauthorization"))
    benefits = _map(data.get("benefits"))
    visits = _map(data.get("visit_limit"))
    try:
        return CoverageSummary(
            level_of_care=LevelOfCare(data["level_of_care"]),
            condition=Condition(data.get("condition") or Condition.MENTAL_HEALTH.value),
            coverage=Coverage(
                status=CoverageStatus(coverage.get("status") or CoverageStatus.UNKNOWN.value),
                plan_name=coverage.get("plan_name"),
                group_number=coverage.get("group_number"),
                plan_begin=_date(coverage.get("plan_begin")),
                plan_end=_date(coverage.get("plan_end")),
            ),
            network=Network(
                NetworkStatus(network.get("status") or NetworkStatus.UNKNOWN.value),
                str(network.get("basis") or ""),
            ),
            preauthorization=Preauthorization(
                preauth.get("required"), tuple(preauth.get("evidence") or ())
            ),
            administrator=_administrator(data.get("administrator")),
            in_network=_tier(benefits.get("in_network")),
            out_of_network=_tier(benefits.get("out_of_network")),
            visit_limit=VisitLimit(
                visits.get("allowed"),
                visits.get("used"),
                visits.get("remaining"),
                visits.get("period"),
            ),
            estimate=_estimate(data.get("estimate")),
            messages=tuple(data.get("messages") or ()),
            errors=tuple(
                ErrorItem(
                    e["code"], e["description"], e.get("follow_up"), e["retryable"], e["loop"]
                )
                for e in data.get("errors") or ()
            ),
            evidence=tuple(
                (path, tuple(sources)) for path, sources in _map(data.get("evidence")).items()
            ),
            carve_out=_carve_out(data.get("carve_out")),
            matching=_matching(data.get("matching")),
            eligibility=_eligibility(data.get("eligibility")),
            places=_places(data.get("place_of_service")),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise StoredSummaryError(f"stored summary does not read back: {exc}") from None


def stored_summary(data: Any) -> CoverageSummary | None:
    """A stored column's summary, or None when there is none or it is not a summary."""
    if data is None:
        return None
    try:
        return summary_from_dict(data)
    except StoredSummaryError:
        return None

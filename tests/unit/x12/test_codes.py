"""Code tables: the behavioral-health service types are exactly right."""

from __future__ import annotations

import pytest

from verifier.x12 import codes

BEHAVIORAL_HEALTH = {
    "A4": "Psychiatric",
    "A5": "Psychiatric - Room and Board",
    "A6": "Psychotherapy",
    "A7": "Psychiatric - Inpatient",
    "A8": "Psychiatric - Outpatient",
    "BB": "Partial Hospitalization (Psychiatric)",
    "BC": "Day Care (Psychiatric)",
    "RT": "Residential Psychiatric Treatment",
    "CE": "Mental Health Provider - Inpatient",
    "CF": "Mental Health Provider - Outpatient",
    "CG": "Mental Health Facility - Inpatient",
    "CH": "Mental Health Facility - Outpatient",
    "AI": "Substance Abuse",
    "AJ": "Alcoholism",
    "AK": "Drug Addiction",
    "CI": "Substance Abuse Facility - Inpatient",
    "CJ": "Substance Abuse Facility - Outpatient",
    "MH": "Mental Health",
}


@pytest.mark.parametrize(("code", "name"), sorted(BEHAVIORAL_HEALTH.items()))
def test_behavioral_health_service_type_names(code: str, name: str) -> None:
    assert codes.SERVICE_TYPES[code] == name


def test_behavioral_health_set_matches_the_named_codes() -> None:
    assert set(BEHAVIORAL_HEALTH) == codes.BEHAVIORAL_HEALTH_SERVICE_TYPES


def test_service_type_list_is_the_5010_list() -> None:
    assert len(codes.SERVICE_TYPES) == 187
    assert "29" not in codes.SERVICE_TYPES and "31" not in codes.SERVICE_TYPES


def test_every_retry_class_value_is_a_domain_retry_class() -> None:
    from verifier.domain import RetryClass

    assert set(codes.RETRY_CLASS_BY_REASON.values()) <= {c.value for c in RetryClass}


def test_every_classified_reason_has_a_description() -> None:
    assert set(codes.RETRY_CLASS_BY_REASON) == set(codes.REJECT_REASONS)


def test_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        codes.SERVICE_TYPES["ZZ"] = "x"  # type: ignore[index]

"""A re-check's diff: what staff are told moved between two answers for the same member."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from tests.fakes.summaries import active_iop, with_visits_left
from verifier.coverage.model import (
    Accumulator,
    Amounts,
    CarveOut,
    CoverageStatus,
    CoverageSummary,
    Preauthorization,
)
from verifier.verifications.changes import describe, diff, recheck_values

BEFORE = active_iop()


def test_the_same_answer_has_no_changes() -> None:
    assert diff(BEFORE, replace(BEFORE, evidence=(("other", ()),), messages=("hello",))) == []


def _inactive(s: CoverageSummary) -> CoverageSummary:
    return replace(s, coverage=replace(s.coverage, status=CoverageStatus.INACTIVE))


def _deductible_met(s: CoverageSummary) -> CoverageSummary:
    met = Accumulator(Amounts(Decimal("1500"), Decimal("0")))
    return replace(s, in_network=replace(s.in_network, deductible=met))


def _preauth(s: CoverageSummary) -> CoverageSummary:
    return replace(s, preauthorization=Preauthorization(required=True))


@pytest.mark.parametrize(
    ("change", "field", "label", "old", "new"),
    [
        (_inactive, "coverage.status", "Coverage", "active", "inactive"),
        (
            _deductible_met,
            "benefits.in_network.deductible.individual.remaining",
            "In-network deductible left",
            "400.00",
            "0.00",
        ),
        (lambda s: with_visits_left(s, 0), "visit_limit.remaining", "Visits left", 18, 0),
        (_preauth, "preauthorization.required", "Preauthorization required", False, True),
    ],
    ids=["coverage", "deductible", "visits", "preauth"],
)
def test_a_changed_fact_is_reported_with_its_old_and_new_value(
    change: object, field: str, label: str, old: object, new: object
) -> None:
    found = diff(BEFORE, change(BEFORE))  # type: ignore[operator]
    assert found == [{"field": field, "label": label, "old": old, "new": new}]
    assert label in describe(found)


def test_the_administrators_answer_is_compared_too() -> None:
    old = replace(BEFORE, carve_out=CarveOut("SANDBOX-BH", BEFORE))
    new = replace(BEFORE, carve_out=CarveOut("SANDBOX-BH", with_visits_left(BEFORE, 3)))
    assert [c["label"] for c in diff(old, new)] == ["Administrator: Visits left"]


def test_a_failed_administrator_check_reads_as_nothing_reported() -> None:
    old = replace(BEFORE, carve_out=CarveOut("SANDBOX-BH", BEFORE))
    new = replace(BEFORE, carve_out=CarveOut("SANDBOX-BH", error="payer_unavailable"))
    found = {c["field"]: c["new"] for c in diff(old, new)}
    assert found["carve_out.coverage.status"] is None
    assert found["carve_out.visit_limit.remaining"] is None


def test_a_changed_recheck_is_flagged_for_staff() -> None:
    values = recheck_values(BEFORE, with_visits_left(BEFORE, 2))
    assert values["status"] == "needs_review" and values["reason"] == "changed"
    assert values["reason_detail"] == "Visits left: 18 → 2"


def test_an_unchanged_recheck_records_an_empty_diff_and_keeps_its_state() -> None:
    assert recheck_values(BEFORE, BEFORE) == {"changes": []}


def test_the_description_fits_the_reason_column() -> None:
    many = [{"label": "L" * 50, "old": 1, "new": 2}] * 10
    assert len(describe(many)) <= 200

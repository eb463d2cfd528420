"""The benefit grid: the words and numbers a coordinator reads for one answer."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from tests.fakes.summaries import active_iop
from verifier.coverage.model import (
    Administrator,
    CarveOut,
    Copay,
    Coverage,
    CoverageStatus,
    Estimate,
    TierBenefits,
)
from verifier.staff import grid
from verifier.staff.grid import NOT_REPORTED


def cells(summary, key: str) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    row = next(r for r in grid.tier_rows(summary) if r.key == key)
    return tuple(c.text for c in row.cells)


def plan(summary, key: str) -> str:  # type: ignore[no-untyped-def]
    return next(r for r in grid.plan_rows(summary) if r.key == key).cells[0].text


def test_in_and_out_of_network_sit_side_by_side_and_silence_is_not_reported() -> None:
    summary = active_iop()
    assert cells(summary, "copay") == ("$30.00 per visit", NOT_REPORTED)
    assert cells(summary, "coinsurance") == ("20%", NOT_REPORTED)
    assert cells(summary, "deductible.individual.remaining") == ("$400.00", NOT_REPORTED)
    assert cells(summary, "out_of_pocket.individual.total") == ("$5,000.00", NOT_REPORTED)
    assert cells(summary, "deductible.family.total") == (NOT_REPORTED, NOT_REPORTED)


def test_a_zero_copay_reads_as_zero_dollars_not_as_not_reported() -> None:
    summary = dataclasses.replace(
        active_iop(), out_of_network=TierBenefits(copay=Copay(Decimal("0"), "day"))
    )
    assert cells(summary, "copay")[1] == "$0.00 per day"


def test_each_value_carries_its_source() -> None:
    row = next(r for r in grid.tier_rows(active_iop()) if r.key == "copay")
    assert row.cells[0].sources == ("EB*B*IND*MH*...*30",)
    assert row.cells[1].sources == ()


def test_plan_rows_say_coverage_plan_network_preauth_and_visits() -> None:
    summary = active_iop()
    assert plan(summary, "coverage.status") == "active"
    assert plan(summary, "coverage.plan_name") == "SANDBOX PPO"
    assert plan(summary, "network.status") == "in network (facility contract)"
    assert plan(summary, "preauthorization.required") == "not required"
    assert plan(summary, "visit_limit.allowed") == "30 (calendar year)"
    assert plan(summary, "visit_limit.remaining") == "18"
    assert plan(summary, "coverage.group_number") == NOT_REPORTED


def test_an_ended_plan_shows_no_cost_even_if_an_estimate_was_stored() -> None:
    ended = dataclasses.replace(
        active_iop(),
        coverage=Coverage(CoverageStatus.INACTIVE),
        estimate=Estimate(10, Decimal("300"), Decimal("900")),
    )
    assert grid.shows_cost(ended) is False
    assert grid.shows_cost(dataclasses.replace(ended, coverage=Coverage(CoverageStatus.ACTIVE)))


def test_the_estimate_reads_as_a_range_for_its_sessions() -> None:
    summary = dataclasses.replace(
        active_iop(), estimate=Estimate(18, Decimal("5400"), Decimal("7128"))
    )
    assert grid.estimate_text(summary) == "$5,400.00 to $7,128.00 for 18 sessions"
    assert grid.estimate_text(active_iop()) == "no estimate"


def test_a_carve_out_names_its_administrator() -> None:
    summary = dataclasses.replace(
        active_iop(),
        administrator=Administrator("MINDWELL BEHAVIORAL", "BHADMIN", "8005550199"),
        carve_out=CarveOut("BHADMIN", active_iop()),
    )
    assert plan(summary, "administrator") == "MINDWELL BEHAVIORAL · BHADMIN · 8005550199"

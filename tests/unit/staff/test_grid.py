"""The benefit grid: the words and numbers a coordinator reads for one answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from tests.fakes.summaries import active_iop
from verifier.coverage.model import (
    Administrator,
    CarveOut,
    Copay,
    Coverage,
    CoverageStatus,
    Eligibility,
    Estimate,
    PlaceBenefits,
    Tier,
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


def test_member_eligibility_reads_beside_the_plan_dates_with_its_source() -> None:
    summary = dataclasses.replace(
        active_iop(),
        coverage=Coverage(CoverageStatus.ACTIVE, plan_begin=dt.date(2026, 1, 1)),
        eligibility=Eligibility(dt.date(2026, 3, 1), None),
        evidence=(("eligibility.begin", ("DTP*356*D8*20260301",)),),
    )
    assert plan(summary, "coverage.plan_dates") == "2026-01-01 to open"
    assert plan(summary, "eligibility.dates") == "2026-03-01 to open"
    row = next(r for r in grid.plan_rows(summary) if r.key == "eligibility.dates")
    assert row.cells[0].sources == ("DTP*356*D8*20260301",)


def test_eligibility_the_payer_did_not_send_is_not_reported() -> None:
    assert plan(active_iop(), "eligibility.dates") == NOT_REPORTED


def test_place_rows_name_the_place_and_show_both_networks() -> None:
    summary = dataclasses.replace(active_iop(), places=(
        PlaceBenefits("22", Tier.IN_NETWORK, True, Copay(Decimal("50"), "visit")),
        PlaceBenefits("22", Tier.OUT_OF_NETWORK, True, coinsurance=Decimal("0.4")),
        PlaceBenefits("02", Tier.IN_NETWORK, True, Copay(Decimal("0"), "visit"),
                      Decimal("0.2")),
        PlaceBenefits("21", Tier.IN_NETWORK, False, Copay(Decimal("250"))),
    ))
    rows = {r.key: (r.label, tuple(c.text for c in r.cells)) for r in grid.place_rows(summary)}
    assert rows["place_of_service.22"] == (
        "Outpatient hospital, on campus (22)", ("copay $50.00 per visit", "coinsurance 40%"),
    )
    assert rows["place_of_service.02"][1] == (
        "copay $0.00 per visit, coinsurance 20%", NOT_REPORTED,
    )
    assert rows["place_of_service.21"][0] == (
        "Inpatient hospital (21), not where this program is delivered"
    )


def test_no_place_rows_when_the_payer_did_not_split_by_place() -> None:
    assert grid.place_rows(active_iop()) == []

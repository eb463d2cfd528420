"""A stored summary reads back as the CoverageSummary that wrote it, fact for fact."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.fakes.summaries import active_iop, carved_out
from verifier.coverage import default_profile, summarize
from verifier.coverage.model import CarveOut, CoverageSummary
from verifier.coverage.stored import StoredSummaryError, stored_summary, summary_from_dict
from verifier.domain import Condition, LevelOfCare
from verifier.x12.reader import read_271

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
ANSWERS = sorted(p.name for p in FIXTURES.glob("*.x12") if "270" not in p.name)


def _summaries_of(name: str) -> list[CoverageSummary]:
    result = read_271((FIXTURES / name).read_bytes())
    return [
        summarize(
            result,
            level=level,
            condition=condition,
            facility=default_profile(),
            in_network=in_network,
        )
        for level in LevelOfCare
        for condition in Condition
        for in_network in (True, False, None)
    ]


@pytest.mark.parametrize("name", ANSWERS)
def test_every_public_answers_summary_reads_back_as_itself(name: str) -> None:
    for summary in _summaries_of(name):
        assert summary_from_dict(summary.to_dict()) == summary


def test_a_carve_out_with_the_administrators_answer_reads_back() -> None:
    plan = carved_out(active_iop())
    both = replace(plan, carve_out=CarveOut("SANDBOX-BH", active_iop()))
    assert summary_from_dict(both.to_dict()) == both


def test_a_failed_administrator_check_reads_back_with_its_reason() -> None:
    failed = replace(active_iop(), carve_out=CarveOut("SANDBOX-BH", error="payer_unavailable"))
    assert summary_from_dict(failed.to_dict()).carve_out == failed.carve_out


def test_not_reported_reads_back_as_not_reported_never_as_zero() -> None:
    stored = active_iop().to_dict()
    stored["benefits"]["in_network"]["copay"]["amount"] = None
    read = summary_from_dict(stored)
    assert read.in_network.copay.amount is None


def test_a_manual_entry_is_not_taken_for_a_summary() -> None:
    with pytest.raises(StoredSummaryError):
        summary_from_dict({"source": "manual", "coverage": {"status": "active"}})
    assert stored_summary({"source": "manual"}) is None and stored_summary(None) is None


def test_a_damaged_value_is_refused_not_guessed() -> None:
    stored = active_iop().to_dict()
    stored["benefits"]["in_network"]["coinsurance"] = "twenty percent"
    with pytest.raises(StoredSummaryError):
        summary_from_dict(stored)

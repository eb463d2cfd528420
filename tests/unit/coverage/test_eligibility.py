"""The member's eligibility dates, read apart from the plan's (DTP 356/357, or a 307 range).

A dependent added in March, or COBRA ending in June, is eligible for less than the plan
runs; the coordinator reads both spans, and "not reported" when the payer sent neither.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from coverage_builders import dtp, eb, result

from verifier.coverage import default_profile, summarize
from verifier.coverage.stored import summary_from_dict
from verifier.domain import Condition, LevelOfCare
from verifier.x12.reader import read_271

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"


def test_member_level_356_and_357_are_the_eligibility_span(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(
        eb("1**30"), dates=(dtp("346", "20260101"), dtp("356", "20260315"), dtp("357", "20260630")),
    ))
    assert summary.eligibility is not None
    assert (summary.eligibility.begin, summary.eligibility.end) == (
        dt.date(2026, 3, 15), dt.date(2026, 6, 30),
    )
    assert summary.to_dict()["eligibility"] == {"begin": "2026-03-15", "end": "2026-06-30"}
    evidence = dict(summary.evidence)
    assert evidence["eligibility.begin"] == ("DTP*356*D8*20260315",)
    assert evidence["eligibility.end"] == ("DTP*357*D8*20260630",)


def test_an_open_end_written_9999_is_open_not_a_date(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(
        eb("1**30"), dates=(dtp("356", "20070701"), dtp("357", "99991231")),
    ))
    assert summary.to_dict()["eligibility"] == {"begin": "2007-07-01", "end": None}


def test_a_307_range_is_the_eligibility_span_when_356_is_absent(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(eb("1**30"), dates=(dtp("307", "20260101-20261231"),)))
    assert summary.to_dict()["eligibility"] == {"begin": "2026-01-01", "end": "2026-12-31"}


def test_plan_dates_alone_are_not_eligibility_dates(summarize_iop_mh) -> None:
    summary = summarize_iop_mh(result(eb("1**30"), dates=(dtp("346", "20260101"),)))
    assert summary.eligibility is None
    assert "eligibility" not in summary.to_dict()


def test_pokitdoks_mock_payer_puts_356_on_the_active_plan_row() -> None:
    """pokitdok-apidocs-mockpayer.271.x12: EB*1*ESP*30^98*PR*Open Choice, then DTP*346*D8*
    20130215 and DTP*356*D8*20120201 on that EB: the plan began 2013-02-15, the member has
    been eligible since 2012-02-01 (a continuation of coverage)."""
    answer = read_271((FIXTURES / "pokitdok-apidocs-mockpayer.271.x12").read_bytes())
    summary = summarize(answer, level=LevelOfCare.OUTPATIENT, condition=Condition.MENTAL_HEALTH,
                        facility=default_profile(), in_network=True)
    assert summary.eligibility is not None
    assert summary.eligibility.begin == dt.date(2012, 2, 1)
    assert summary.coverage.plan_begin == dt.date(2013, 2, 15)
    assert summary_from_dict(summary.to_dict()) == summary

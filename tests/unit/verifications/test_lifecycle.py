"""Where an answer leaves a verification: completed, or a person must look (needs_review)."""

from __future__ import annotations

from dataclasses import replace

from tests.fakes.summaries import active_iop, carved_out
from verifier.coverage.model import Coverage, CoverageStatus, ErrorItem
from verifier.verifications import lifecycle


def test_a_readable_answer_is_completed() -> None:
    assert lifecycle.verdict_for_summary(active_iop()) == lifecycle.Verdict(lifecycle.COMPLETED)


def test_an_answer_without_coverage_status_goes_to_a_person() -> None:
    unknown = replace(active_iop(), coverage=Coverage(CoverageStatus.UNKNOWN))
    verdict = lifecycle.verdict_for_summary(unknown)
    assert (verdict.status, verdict.detail) == (
        lifecycle.NEEDS_REVIEW,
        "coverage status not reported",
    )


def test_a_carve_out_and_partial_errors_are_both_named_for_staff() -> None:
    error = ErrorItem("53", "Inquired Benefit Inconsistent", "C", False, "2110C")
    summary = replace(carved_out(active_iop()), errors=(error,))
    verdict = lifecycle.verdict_for_summary(summary)
    assert verdict.status == lifecycle.NEEDS_REVIEW
    assert verdict.detail == (
        "benefits administered by another entity; payer reported errors for part of the inquiry"
    )


def test_final_states_are_the_ones_a_run_ends_in() -> None:
    assert set(lifecycle.FINAL) | set(lifecycle.ACTIVE) | {lifecycle.RETRY_WAIT} == set(
        lifecycle.STATES
    )

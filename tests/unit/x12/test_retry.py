"""AAA retry classes follow DESIGN §7, with AAA04 overriding where it is explicit."""

from __future__ import annotations

import pytest

from verifier.domain import RetryClass
from verifier.x12.retry import request_error, retry_class


@pytest.mark.parametrize("code", ["42", "80"])
def test_payer_unavailable_codes_retry_later(code: str) -> None:
    assert retry_class("2100A", code, "R") is RetryClass.RETRY_LATER


@pytest.mark.parametrize(
    "code", ["72", "73", "58", "15", "43", "44", "45", "46", "47", "48", "56", "60", "64", "66",
             "71"],
)
def test_input_codes_ask_to_fix_input(code: str) -> None:
    assert retry_class("2100C", code, "C") is RetryClass.FIX_INPUT


@pytest.mark.parametrize("code", ["75", "76", "77", "78", "67", "68"])
def test_not_found_codes(code: str) -> None:
    assert retry_class("2100C", code, "C") is RetryClass.NOT_FOUND


@pytest.mark.parametrize("code", ["41", "50", "51", "79", "97", "T4"])
def test_configuration_codes(code: str) -> None:
    assert retry_class("2100B", code, None) is RetryClass.CONFIGURATION


@pytest.mark.parametrize("loop", ["2110C", "2110D"])
def test_benefit_loop_codes_are_benefit_level_whatever_the_code(loop: str) -> None:
    assert retry_class(loop, "15", "C") is RetryClass.BENEFIT_LEVEL


@pytest.mark.parametrize("follow_up", ["W", "X", "Y"])
def test_wait_follow_ups_override_to_retry_later(follow_up: str) -> None:
    assert retry_class("2100C", "75", follow_up) is RetryClass.RETRY_LATER


def test_resubmission_not_allowed_stops_an_automatic_retry() -> None:
    assert retry_class("2100A", "42", "N") is RetryClass.CONFIGURATION


def test_resubmission_not_allowed_keeps_a_fix_input_class() -> None:
    assert retry_class("2100C", "72", "N") is RetryClass.FIX_INPUT


def test_unknown_code_needs_a_person() -> None:
    error = request_error("2100C", False, "RC", "C")
    assert error.retry_class is RetryClass.CONFIGURATION
    assert error.reject_description == "Unrecognized reject reason code"


def test_request_error_carries_both_descriptions() -> None:
    error = request_error("2100A", True, "42", "R")
    assert error.reject_description == "Unable to Respond at Current Time"
    assert error.follow_up_description == "Resubmission Allowed"
    assert error.retryable

"""The sandbox's envelope control numbers are valid at every second, including round ones."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from verifier.domain import EligibilityRequest, Person, Provider
from verifier.payers.sandbox import SandboxAdapter

REQUEST = EligibilityRequest(
    payer_id="SANDBOX",
    payer_name="Sandbox Health Plan",
    provider=Provider("1234567893", "EXAMPLE CENTER"),
    subscriber=Person("ZELPHA", "QUINTAVIUS", dt.date(1988, 4, 12), "SBX-ACTIVE-1"),
    service_date=dt.date(2026, 11, 26),
    trace_number="abc-1",
)


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 26, 19, 6, 40, tzinfo=dt.UTC),  # epoch seconds end in 0000
        dt.datetime(2001, 9, 9, 1, 46, 40, tzinfo=dt.UTC),  # epoch seconds 1,000,000,000
    ],
)
def test_a_check_at_a_round_second_still_encodes(moment: dt.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        outcome = SandboxAdapter(slow_seconds=0).check(REQUEST)
    assert outcome.result.patient is not None

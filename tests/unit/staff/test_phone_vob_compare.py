"""A phone VOB against the electronic answer: every field the rep stated differently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.fakes.summaries import active_iop
from verifier.domain import Condition, LevelOfCare
from verifier.staff.phone_vob import PhoneCall, PhoneVobEntry, differences, summary_of

CALL = PhoneCall("Dana", "REF-9", dt.datetime(2026, 12, 2, 15, 30, tzinfo=dt.UTC))


def phone(**fields: Any) -> Any:
    entry = PhoneVobEntry(CALL, LevelOfCare.IOP, {"coverage_status": "active"} | fields)
    return summary_of(entry, Condition.MENTAL_HEALTH)


def test_a_phone_vob_is_a_summary_with_its_fields_cited_as_manual_entry() -> None:
    said = phone(in_network_copay=Decimal("250.00"), in_network_coinsurance=Decimal("0.2"))
    assert said.in_network.copay.amount == Decimal("250.00")
    assert said.in_network.coinsurance == Decimal("0.2")
    assert said.out_of_network.copay.amount is None
    evidence = dict(said.evidence)
    assert evidence["in_network.copay"] == (
        "manual entry: phone VOB, call of 2026-12-02 15:30 UTC",
    )
    assert "Dana" not in repr(said.to_dict()) and "REF-9" not in repr(said.to_dict())


def test_visits_left_follow_from_allowed_and_used_when_the_rep_gives_both() -> None:
    assert phone(visits_allowed=30, visits_used=12).visit_limit.remaining == 18


def test_what_the_rep_said_differently_is_flagged_with_both_values() -> None:
    said = phone(in_network_copay=Decimal("250"), in_network_coinsurance=Decimal("0.2"))
    found = differences(said, active_iop())
    assert found == [
        {
            "field": "in_network.copay",
            "label": "Copay, in network",
            "phone": "$250.00",
            "electronic": "$30.00 per visit",
        }
    ]


def test_fields_the_rep_did_not_state_are_not_differences() -> None:
    assert differences(phone(), active_iop()) == []


def test_a_value_the_payer_did_not_report_electronically_is_flagged() -> None:
    found = differences(phone(out_of_network_deductible_total=Decimal("3000")), active_iop())
    assert [(d["label"], d["phone"], d["electronic"]) for d in found] == [
        ("Deductible, individual, out of network", "$3,000.00", "not reported")
    ]


def test_a_copay_said_without_per_visit_matches_the_same_amount_per_visit() -> None:
    assert differences(phone(in_network_copay=Decimal("30")), active_iop()) == []
    said = phone(in_network_copay=Decimal("30"), in_network_copay_per="day")
    assert [d["phone"] for d in differences(said, active_iop())] == ["$30.00 per day"]

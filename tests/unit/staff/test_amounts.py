"""Money and shares as a coordinator types them during a call."""

from __future__ import annotations

from decimal import Decimal

import pytest

from verifier.staff.amounts import AmountError, parse_count, parse_money, parse_share


@pytest.mark.parametrize(
    ("typed", "dollars"),
    [
        ("$250", "250.00"),
        ("250.00", "250.00"),
        ("1,500", "1500.00"),
        ("$1,500.5", "1500.50"),
        (" 0 ", "0.00"),
        ("$ 30", "30.00"),
    ],
)
def test_money_reads_the_ways_people_write_dollars(typed: str, dollars: str) -> None:
    assert parse_money(typed) == Decimal(dollars)


@pytest.mark.parametrize("typed", ["twenty", "25.001", "1,50", "-5", "$", "", "12,3456", "1e3"])
def test_money_refuses_what_is_not_an_amount_with_words_for_the_form(typed: str) -> None:
    with pytest.raises(AmountError, match="Enter dollars like 250"):
        parse_money(typed)


@pytest.mark.parametrize(
    ("typed", "share"),
    [
        ("20%", "0.2"),
        ("20 %", "0.2"),
        ("0.2", "0.2"),
        (".2", "0.2"),
        ("20", "0.2"),
        ("12.5%", "0.125"),
        ("0", "0"),
        ("100%", "1"),
        ("1", "1"),
    ],
)
def test_a_share_is_a_fraction_whether_typed_as_percent_or_fraction(typed: str, share: str) -> None:
    assert parse_share(typed) == Decimal(share)


@pytest.mark.parametrize("typed", ["150%", "twenty", "%", "", "-10%"])
def test_a_share_over_100_percent_or_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(AmountError):
        parse_share(typed)


def test_a_count_is_a_whole_number() -> None:
    assert parse_count(" 30 ") == 30
    with pytest.raises(AmountError, match="whole number"):
        parse_count("3.5")

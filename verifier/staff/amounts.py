"""Money and percentages as a coordinator types them while a payer rep talks.

"$250", "250.00", "1,500" are dollars; "20%", "20 %", "0.2", ".2" are a 20% patient share.
A bare number above 1 as a share ("20") is read as percent: reps say "twenty percent"
and nobody means a 2000% coinsurance. Anything else is an error with words the form can
show next to the field, never a guess (a wrong copay is worse than none).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_MONEY = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
_SHARE = re.compile(r"^(\d{0,3}(\.\d{1,4})?)\s*(%?)$")
MAX_MONEY = Decimal("10000000")


class AmountError(ValueError):
    """The text is not an amount; ``str()`` is the message for the form."""


def parse_money(text: str) -> Decimal:
    """Dollars and cents from "$250", "250.00", "1,500" or "$1,500.5"."""
    cleaned = text.strip()
    match = _MONEY.fullmatch(cleaned)
    if not match:
        raise AmountError("Enter dollars like 250, $250, 250.00 or 1,500.")
    value = Decimal(cleaned.lstrip("$").strip().replace(",", ""))
    if value >= MAX_MONEY:
        raise AmountError("That amount is too large for a benefit; check the digits.")
    return value.quantize(Decimal("0.01"))


def parse_share(text: str) -> Decimal:
    """The patient's share as a fraction (0.20) from "20%", "20", "0.2" or ".2"."""
    cleaned = text.strip()
    match = _SHARE.fullmatch(cleaned)
    if not match or not match.group(1) or match.group(1) == ".":
        raise AmountError("Enter a percentage like 20% or a fraction like 0.2.")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        raise AmountError("Enter a percentage like 20% or a fraction like 0.2.") from None
    if match.group(3) == "%" or number > 1:
        number = number / 100
    if number > 1:
        raise AmountError("A patient share cannot be more than 100%.")
    return number.normalize() if number != 0 else Decimal("0")


def parse_count(text: str, *, upper: int = 10_000) -> int:
    """A whole number of visits, days or units ("30", " 12 ")."""
    cleaned = text.strip().replace(",", "")
    if not cleaned.isdigit() or int(cleaned) > upper:
        raise AmountError(f"Enter a whole number from 0 to {upper:,}.")
    return int(cleaned)

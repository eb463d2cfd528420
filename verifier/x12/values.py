"""Typed values from X12 element text: decimals, dates, date ranges.

Bad values become None and the caller records a warning by position; the value itself is
never echoed (it may be PHI).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def decimal(value: str) -> Decimal | None:
    """An X12 R/N value as a Decimal; None when empty or not a plain number.

    Plain means ASCII digits with at most one point and a leading minus: Decimal alone
    would also take exponents, NaN, Infinity and underscores, which X12 never sends.
    """
    digits = value[1:] if value.startswith("-") else value
    digits = digits.replace(".", "", 1)
    if not digits or len(value) > 32 or not (digits.isascii() and digits.isdigit()):
        return None
    return Decimal(value)


def date(value: str) -> dt.date | None:
    """CCYYMMDD (extra time digits ignored) as a date; None when not a real date."""
    if len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def period(format_code: str, value: str) -> tuple[dt.date | None, dt.date | None]:
    """A DTP value: D8/DT give (start, None); RD8 gives (start, end)."""
    if format_code.startswith("RD") and "-" in value:
        start, _, end = value.partition("-")
        return date(start), date(end)
    return date(value), None


def format_decimal(value: Decimal) -> str:
    """Fixed-point text (never exponent notation, which X12 does not allow)."""
    text = format(value, "f")
    return text

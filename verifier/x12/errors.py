"""Errors the X12 engine raises.

Callers catch one type (``X12ParseError``) for "this is not an eligibility response we can
read". Messages name segment ids and positions only: payer bodies carry PHI, and these
messages end up in logs, job failures and staff screens.
"""

from __future__ import annotations

from collections.abc import Sequence


class X12ParseError(ValueError):
    """The input is not an X12 eligibility response (or request) this engine can read."""


class X12Rejected(X12ParseError):
    """The payer answered with a 999 or TA1 rejection instead of a 271."""

    def __init__(self, kind: str, codes: Sequence[str], description: str) -> None:
        super().__init__(f"{kind} rejection: {description}")
        self.kind = kind  # "999" or "TA1"
        self.codes: tuple[str, ...] = tuple(codes)
        self.description = description

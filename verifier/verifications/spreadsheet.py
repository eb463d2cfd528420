"""CSV both ways with untrusted cells: no formulas out, no PHI echoed back in errors.

Pure functions (no Flask, no SQL), shared by the staff export and the batch files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made plain text (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unknown_columns_message(unknown: Iterable[str], allowed: Iterable[str]) -> str:
    """Why the header was refused, naming only cells that look like column names.

    A file without a header has its first member's name and date of birth where the
    header should be: those are never repeated in the error.
    """
    names = list(unknown)
    shown = [name for name in names if _COLUMN_NAME.fullmatch(name)]
    hidden = len(names) - len(shown)
    parts = [f"unknown column(s): {', '.join(shown)}"] if shown else []
    if hidden:
        parts.append(
            f"{hidden} first-line cell(s) are not column names (is the header line missing?)"
        )
    return "; ".join(parts) + f". The first line names the columns, from: {', '.join(allowed)}"

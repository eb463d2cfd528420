"""What a visitor is told to check when the payer matched no variant of their details.

The payer's AAA codes on the run's first attempt (the visitor's own details, before any
correction) decide which fields are named first (``matching.what_to_check``); the words are
``coverage.messages`` VISITOR ``check.*`` in the visitor's language. Nothing typed is shown.
"""

from __future__ import annotations

from verifier.coverage.messages import VISITOR, text
from verifier.store.models import Verification
from verifier.verifications.matching import what_to_check

UNMATCHED_REASONS = frozenset({"member_not_found", "invalid_input"})


def first_codes(row: Verification) -> tuple[str, ...]:
    """The AAA codes of the latest run's own first call (attempts newest first)."""
    for attempt in row.attempts:
        if attempt.correction is None and attempt.finished_at is not None:
            return tuple(str(code) for code in attempt.error_codes or ())
    return ()


def check_lines(row: Verification, language: str) -> list[str]:
    checks = what_to_check(first_codes(row))
    return [text(VISITOR, language, "check_intro")] + [
        text(VISITOR, language, f"check.{check}") for check in checks
    ]

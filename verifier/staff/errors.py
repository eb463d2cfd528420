"""Errors of staff actions, apart so every staff module can raise them (no circles)."""

from __future__ import annotations


class NotFoundError(LookupError):
    """No verification has this id."""

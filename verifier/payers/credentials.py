"""Secrets for a payer, read from the environment variables the directory names.

Read at call time (not at start) so an operator can rotate a secret by restarting workers
without touching the directory. Messages name the variable, never its value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from verifier.payers.base import PayerAuthError
from verifier.payers.directory import PayerEntry


def secret(entry: PayerEntry, role: str, env: Mapping[str, str] | None = None) -> str:
    """The secret for ``role`` (client_id, password ...); PayerAuthError if not configured."""
    variable = entry.credentials.get(role)
    if not variable:
        raise PayerAuthError(f"payers.{entry.id}.credentials has no {role!r}")
    value = (os.environ if env is None else env).get(variable)
    if not value:
        raise PayerAuthError(f"environment variable {variable} (payer {entry.id}) is not set")
    return value


def optional_secret(
    entry: PayerEntry, role: str, env: Mapping[str, str] | None = None
) -> str | None:
    """Like ``secret`` but None when the directory does not name the role at all."""
    if role not in entry.credentials:
        return None
    return secret(entry, role, env)

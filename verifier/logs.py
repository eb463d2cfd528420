"""Logging that cannot leak PHI by accident.

Our own messages name ids and codes only. Exceptions are logged by type and stack
frames, without their message: a driver's or library's message may quote the data
it choked on (a member id, a name).
"""

from __future__ import annotations

import logging
import sys
import traceback

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_verifier", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._verifier = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)


def safe_traceback(error: BaseException) -> str:
    """The exception's type and where it was raised, without its message."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__module__}.{type(error).__qualname__}\n{frames}"


def log_exception(logger: logging.Logger, message: str, error: BaseException) -> None:
    logger.error("%s: %s", message, safe_traceback(error))

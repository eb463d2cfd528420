"""The time left for one attempt at a payer, shared by the resilience layer and the transport.

The resilience wrapper knows the attempt's budget; the HTTP transport deep inside an adapter
must honour it without every adapter threading a parameter through. A context variable
carries it: adapters that do their own I/O (plug-ins) may read it too.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("verifier_payer_deadline", default=None)


def current() -> float | None:
    """The monotonic time by which the current attempt must end, if one is set."""
    return _DEADLINE.get()


def remaining(default: float) -> float:
    """Seconds left in the current attempt, or ``default`` outside of one."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return default
    return deadline - time.monotonic()


@contextlib.contextmanager
def bounded(deadline: float) -> Iterator[None]:
    """Run the block under ``deadline`` (an earlier enclosing deadline still wins)."""
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)

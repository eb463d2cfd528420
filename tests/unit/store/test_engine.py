"""The engine's connection rules: how long reaching the database may take."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from verifier.store.db import CONNECT_TIMEOUT, make_engine


def test_postgresql_connections_are_bounded_by_the_connect_timeout() -> None:
    """A blackholed server must fail readiness and jobs in seconds, not minutes of TCP
    retries; the driver gets ``connect_timeout`` (checked on a closed port: a real black
    hole cannot be made on loopback)."""
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none", pooled=False)
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def capture(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        seen.update(cparams)

    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert seen["connect_timeout"] == CONNECT_TIMEOUT

"""The database handle: one engine per app, sessions per unit of work.

An unbound extension in the Flask-tutorial style (``db.init_app(app)``), so the app
factory, the workers and the CLI all get the same wiring.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from config.settings import mask_url

CONNECT_TIMEOUT = 5  # seconds to reach PostgreSQL


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (the driver we install)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {"future": True}
    if sqlite:
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        # An unreachable server (blackholed, not refusing) must fail a readiness check or a
        # job in seconds, not after the kernel's TCP timeout of minutes.
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    if not pooled:
        kwargs["poolclass"] = NullPool
    elif not sqlite:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets the web and the workers read while one writes; FKs are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    def __init__(self) -> None:
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._pid: int | None = None
        self.url: str | None = None

    def __repr__(self) -> str:
        return f"Database(url={mask_url(self.url)!r})"

    def configure(self, url: str, *, pooled: bool = True) -> None:
        self.url = normalize_url(url)
        self._engine = make_engine(self.url, pooled=pooled)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._pid = os.getpid()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("database not configured")
        if self._pid != os.getpid():
            # A forked RQ work-horse must not share the parent's pooled sockets.
            self._engine.dispose(close=False)
            self._pid = os.getpid()
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception."""
        if self._sessions is None:
            raise RuntimeError("database not configured")
        self.engine  # noqa: B018 - refreshes the pool after a fork
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

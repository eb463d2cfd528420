"""A PostgreSQL database of its own, created for a test run or a benchmark and dropped after.

Shared by tests/conftest.py and the bench scripts, so both clean up the same way
(connections still open at the end are terminated before the drop).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from verifier.store.db import normalize_url


@contextlib.contextmanager
def scratch_postgres(admin_url: str, prefix: str) -> Iterator[str]:
    """Create ``<prefix>_<random>`` on ``admin_url``'s server; yield its URL; drop it."""
    admin_url = normalize_url(admin_url)
    name = f"{prefix}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

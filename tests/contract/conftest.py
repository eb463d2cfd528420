"""The contract suite checks the HTTP API, not the store: one private SQLite database
(the store's own suites run on both backends), which keeps it well under two minutes.

Its settings do not come from ``service_env``: overriding the session-wide, parametrized
``database_url`` here would leak into every other suite's cached fixtures.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue

from config.settings import Settings
from tests.conftest import AUDIT_KEY, migrated_database


@pytest.fixture(scope="session")
def contract_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database("sqlite", tmp_path_factory.mktemp("contract")) as url:
        yield url


@pytest.fixture
def settings(
    contract_database: str, redis_url: str, data_key: str, redis: Redis
) -> Iterator[Settings]:
    """No worker serves this prefix: the suite's jobs are only cleared afterwards."""
    prefix = f"contract{uuid.uuid4().hex[:8]}"
    yield Settings.from_env(
        {
            "VERIFIER_ENV": "test",
            "DATABASE_URL": contract_database,
            "REDIS_URL": redis_url,
            "VERIFIER_DATA_KEY": data_key,
            "VERIFIER_AUDIT_KEY": AUDIT_KEY,
            "VERIFIER_QUEUE_PREFIX": prefix,
            "VERIFIER_JOB_TIMEOUT": "30",
            "VERIFIER_LEASE_SECONDS": "40",
            "VERIFIER_PAYER_TIMEOUT": "10",
            "VERIFIER_SANDBOX_SLOW_SECONDS": "2",
            "SECRET_KEY": "test-secret",
        }
    )
    for kind in ("visitor", "batch"):
        Queue(f"{prefix}-{kind}", connection=redis).delete(delete_jobs=True)

"""The contract suite checks the HTTP API, not the store: SQLite only (the store's own
suites run on both backends), which keeps it well under two minutes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import migrated_database


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database("sqlite", tmp_path_factory.mktemp("contract")) as url:
        yield url


@pytest.fixture
def settings(inline_settings: object) -> object:
    """No worker takes the contract suite's jobs (they would only be noise)."""
    return inline_settings

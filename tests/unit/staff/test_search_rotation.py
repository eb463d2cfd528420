"""Staff search stays right across a key rotation, before any re-indexing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.unit.store.rotation import NEW, OLD, AppMaker, app_maker, fresh_database, submit
from verifier.staff import work
from verifier.store.crypto import Keyring


@pytest.fixture
def apps(
    database_url: str, tmp_path: Path, make_app: Any, service_env: dict[str, str]
) -> Iterator[AppMaker]:
    with fresh_database(database_url, tmp_path) as url:
        yield app_maker(make_app, service_env, url)


def found(runtime: Any, q: str) -> set[str]:
    rows, _ = work.search(runtime, work.SearchQuery(q=q))
    return {row["id"] for row in rows}


def test_blind_indexes_are_every_keys_hash_with_the_primary_first() -> None:
    old = Keyring.parse(OLD)
    rotated = Keyring.parse(f"{NEW},{OLD}")
    indexes = rotated.blind_indexes("SBX-1", "member_id")
    assert indexes == (
        rotated.blind_index("SBX-1", "member_id"),
        old.blind_index("SBX-1", "member_id"),
    )
    assert indexes[0] != indexes[1]


def test_a_row_indexed_under_the_old_key_is_found_once_a_new_key_is_first(
    apps: AppMaker,
) -> None:
    before = apps(OLD).extensions["verifier"]
    verification_id, member, _ = submit(before)
    rotated = apps(f"{NEW},{OLD}").extensions["verifier"]
    assert rotated.keyring.blind_index(member.member_id, "member_id") != (
        before.keyring.blind_index(member.member_id, "member_id")
    )  # the stored hash is not the one search would write now
    for q in (
        member.member_id,
        member.last_name,
        member.first_name.lower(),
        f"{member.first_name} {member.last_name}",
        "1969-07-21 " + member.last_name,
        "07/21/1969",
    ):
        assert verification_id in found(rotated, q), q


def test_rows_under_the_old_and_the_new_key_are_both_found_during_a_rotation(
    apps: AppMaker,
) -> None:
    old_row, _, _ = submit(apps(OLD).extensions["verifier"])
    rotated = apps(f"{NEW},{OLD}").extensions["verifier"]
    new_row, _, _ = submit(rotated)
    assert found(rotated, "1969-07-21") == {old_row, new_row}


def test_a_key_taken_out_of_the_ring_no_longer_matches(apps: AppMaker) -> None:
    """Why ``db rekey`` must run before the old key goes: its hashes are not searched."""
    _, member, _ = submit(apps(OLD).extensions["verifier"])
    assert found(apps(NEW).extensions["verifier"], member.member_id) == set()

"""Staff search stays right across a key rotation, before any re-indexing."""

from __future__ import annotations

from typing import Any

from tests.unit.store.rotation import (
    NEW,
    OLD,
    AppMaker,
    apps,  # noqa: F401 - fixture
    submit,
)
from verifier.staff import work
from verifier.store.crypto import Keyring


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
    apps: AppMaker,  # noqa: F811 - fixture
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
    apps: AppMaker,  # noqa: F811 - fixture
) -> None:
    old_row, _, _ = submit(apps(OLD).extensions["verifier"])
    rotated = apps(f"{NEW},{OLD}").extensions["verifier"]
    new_row, _, _ = submit(rotated)
    assert found(rotated, "1969-07-21") == {old_row, new_row}


def test_a_key_taken_out_of_the_ring_no_longer_matches(apps: AppMaker) -> None:  # noqa: F811 - fixture
    """Why ``db rekey`` must run before the old key goes: its hashes are not searched."""
    _, member, _ = submit(apps(OLD).extensions["verifier"])
    only_new = apps(NEW).extensions["verifier"]
    new_row, new_member, _ = submit(only_new)
    assert found(only_new, new_member.member_id) == {new_row}  # search itself works
    assert found(only_new, member.member_id) == set()

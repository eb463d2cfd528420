"""PHI encryption at rest: sealed, bound to its row, rotatable."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.store.crypto import DecryptionError, Keyring, KeyringError, generate_key_spec


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.parse(generate_key_spec("k1"))


def test_a_sealed_value_opens_with_the_same_context(keyring: Keyring) -> None:
    token = keyring.encrypt("JANE DOE", "member:abc")
    assert keyring.decrypt(token, "member:abc") == "JANE DOE"


def test_the_ciphertext_does_not_contain_the_plaintext(keyring: Keyring) -> None:
    token = keyring.encrypt("ZELPHA QUINTAVIUS", "member:abc")
    assert "ZELPHA" not in token and "QUINTAVIUS" not in token


def test_the_key_id_is_stored_beside_the_ciphertext(keyring: Keyring) -> None:
    assert keyring.key_id_of(keyring.encrypt("x", "c")) == "k1"


def test_a_value_moved_to_another_row_does_not_open(keyring: Keyring) -> None:
    token = keyring.encrypt("JANE DOE", "member:row-1")
    with pytest.raises(DecryptionError):
        keyring.decrypt(token, "member:row-2")


def test_a_tampered_value_does_not_open(keyring: Keyring) -> None:
    token = keyring.encrypt("JANE DOE", "member:abc")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(DecryptionError):
        keyring.decrypt(tampered, "member:abc")


@pytest.mark.parametrize("body", ["not*base64", "A", "AAAA"])
def test_a_malformed_value_is_a_decryption_error(keyring: Keyring, body: str) -> None:
    """Every caller treats DecryptionError as 'cannot be opened' (rekey reports it, the
    token cache misses); a raw base64 or length error would escape them."""
    with pytest.raises(DecryptionError):
        keyring.decrypt(f"{keyring.sealed_prefix()}{body}", "c")


def test_rotation_seals_with_the_new_key_and_opens_old_values() -> None:
    old_spec = generate_key_spec("old")
    old = Keyring.parse(old_spec)
    sealed_before = old.encrypt("JANE", "c")
    rotated = Keyring.parse(f"{generate_key_spec('new')},{old_spec}")
    assert rotated.decrypt(sealed_before, "c") == "JANE"
    assert rotated.key_id_of(rotated.encrypt("JANE", "c")) == "new"


def test_a_value_sealed_by_an_unknown_key_is_refused(keyring: Keyring) -> None:
    other = Keyring.parse(generate_key_spec("k2"))
    with pytest.raises(DecryptionError):
        keyring.decrypt(other.encrypt("x", "c"), "c")


@pytest.mark.parametrize("spec", ["nokey", "k1:notbase64!!", "k1:c2hvcnQ", "k-1:" + "A" * 43])
def test_malformed_key_material_is_refused_without_showing_it(spec: str) -> None:
    with pytest.raises(KeyringError) as info:
        Keyring.parse(spec)
    assert spec.split(":")[-1] not in str(info.value) or spec == "nokey"


def test_the_local_key_is_created_once_with_owner_only_permissions(tmp_path: Path) -> None:
    path = tmp_path / "var" / "data.key"
    first = Keyring.local(path)
    second = Keyring.local(path)
    assert first.keys == second.keys
    assert path.stat().st_mode & 0o777 == 0o600


def test_blind_index_is_stable_and_keyed(keyring: Keyring) -> None:
    other = Keyring.parse(generate_key_spec("k1"))
    assert keyring.blind_index("M123", "member_id") == keyring.blind_index("M123", "member_id")
    assert keyring.blind_index("M123", "member_id") != other.blind_index("M123", "member_id")
    assert keyring.blind_index("M123", "member_id") != keyring.blind_index("M123", "last_name")

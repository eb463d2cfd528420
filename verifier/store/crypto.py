"""PHI field encryption: AES-256-GCM with the key id stored beside the ciphertext.

Every stored PHI value names the key that sealed it (``v1.<kid>.<b64>``), so keys can
rotate: the first key in the ring seals new values, every key in the ring opens old
ones. The associated data binds a value to its row and column, so a ciphertext copied
into another row does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"
_NONCE_BYTES = 12


class KeyringError(ValueError):
    """The key material is missing or malformed (the message never shows a key)."""


class DecryptionError(ValueError):
    """A stored value cannot be opened: unknown key id, or tampered or moved ciphertext."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_key_spec(kid: str | None = None) -> str:
    """A new ``kid:key`` entry for VERIFIER_DATA_KEY."""
    kid = kid or secrets.token_hex(4)
    return f"{kid}:{_b64encode(AESGCM.generate_key(bit_length=256))}"


@dataclass(frozen=True)
class Keyring:
    primary: str
    keys: dict[str, bytes] = field(repr=False)  # key material: never in a repr

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """Parse ``kid:base64key[,kid:base64key...]``; the first entry seals new values."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for index, entry in enumerate(part.strip() for part in spec.split(",")):
            kid, sep, encoded = entry.partition(":")
            if not sep or not kid or not kid.isalnum():
                raise KeyringError(f"VERIFIER_DATA_KEY entry {index + 1} must be 'kid:base64key'")
            try:
                key = _b64decode(encoded)
            except (binascii.Error, ValueError):
                raise KeyringError(f"VERIFIER_DATA_KEY entry {index + 1} is not base64") from None
            if len(key) != 32:
                raise KeyringError(f"VERIFIER_DATA_KEY entry {index + 1} must be a 256-bit key")
            if kid in keys:
                raise KeyringError(f"VERIFIER_DATA_KEY names key id {kid!r} twice")
            keys[kid] = key
            order.append(kid)
        return cls(primary=order[0], keys=keys)

    @classmethod
    def local(cls, path: Path) -> Keyring:
        """The embedded default: a key file under var/, created on first use (never in git)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(generate_key_spec("local") + "\n")
        return cls.parse(path.read_text().strip())

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.primary]).encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        return f"{_VERSION}.{self.primary}.{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, context: str) -> str:
        version, _, rest = token.partition(".")
        kid, _, body = rest.partition(".")
        if version != _VERSION or kid not in self.keys:
            raise DecryptionError("stored value names an unknown format or key id")
        try:
            raw = _b64decode(body)
            opened = AESGCM(self.keys[kid]).decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode("utf-8")
            )
            return opened.decode("utf-8")
        except (InvalidTag, ValueError):  # ValueError: bad base64, too short, not UTF-8
            raise DecryptionError("stored value fails authentication") from None

    def key_id_of(self, token: str) -> str:
        return token.split(".", 2)[1]

    def sealed_prefix(self, kid: str | None = None) -> str:
        """What every value sealed under ``kid`` (default: the primary) starts with.

        Lets the database tell which values a rotation still has to re-seal, by
        comparing the start of each stored token, without opening any of them.
        """
        return f"{_VERSION}.{kid or self.primary}."

    def blind_index(self, value: str, purpose: str) -> str:
        """A keyed hash for exact-match search without decrypting every row.

        Written under the primary key. Rows indexed before a rotation keep the old
        key's hash until ``flask db rekey`` re-indexes them, so searches match any key
        in the ring (``blind_indexes``).
        """
        return self._blind_index(self.keys[self.primary], value, purpose)

    def blind_indexes(self, value: str, purpose: str) -> tuple[str, ...]:
        """The blind index under every key in the ring, the primary's first.

        Searching with all of them keeps results right before, during and after a
        re-index: a row still carrying an old key's hash is found, not silently missed.
        """
        others = (kid for kid in self.keys if kid != self.primary)
        return tuple(
            self._blind_index(self.keys[kid], value, purpose) for kid in (self.primary, *others)
        )

    @staticmethod
    def _blind_index(key: bytes, value: str, purpose: str) -> str:
        mac = hmac.HMAC(key, hashes.SHA256())
        mac.update(f"blind-index:{purpose}:".encode() + value.encode("utf-8"))
        return _b64encode(mac.finalize())

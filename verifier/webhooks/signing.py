"""Standard Webhooks signatures (symmetric, ``v1``): pure functions, no I/O.

Spec: github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md. The
signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, HMAC-SHA256 with the
secret's bytes, base64 (standard alphabet, padded); ``webhook-signature`` is a
space-separated list of ``v1,<sig>`` so a receiver accepts any secret in a rotation.
Secrets are ``whsec_`` + base64 of 32 random bytes, as the spec's libraries read them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's marker, not a secret
SECRET_BYTES = 32


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4))


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """One ``v1,<base64>`` signature of ``id.timestamp.body``."""
    content = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secrets_: Sequence[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers, signed with every secret given (the current one first)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_),
    }

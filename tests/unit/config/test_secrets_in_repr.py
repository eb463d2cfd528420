"""Secrets never in a repr: reprs reach logs, tracebacks and debuggers."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings, mask_url
from verifier.runtime import Runtime
from verifier.store.crypto import Keyring, generate_key_spec

KEY = generate_key_spec("k1")
SECRETS = {
    "VERIFIER_DATA_KEY": KEY,
    "SECRET_KEY": "s3cret-session-signing-key",
    "VERIFIER_METRICS_TOKEN": "metrics-token-0123456789",
    "DATABASE_URL": "postgresql://verifier:db-pa55word@db.internal:5432/verifier",
    "REDIS_URL": "redis://:redis-pa55word@127.0.0.1:6379/0",
}
PLAIN = ("k1:" + KEY.split(":", 1)[1], "s3cret", "metrics-token", "db-pa55word", "redis-pa55word")


def test_settings_repr_masks_keys_tokens_and_url_passwords() -> None:
    shown = repr(Settings.from_env(SECRETS))
    assert not [secret for secret in PLAIN if secret in shown]
    assert "postgresql://verifier:***@db.internal:5432/verifier" in shown
    assert "redis://:***@127.0.0.1:6379/0" in shown


def test_settings_repr_still_shows_what_is_not_secret() -> None:
    shown = repr(Settings.from_env(SECRETS | {"VERIFIER_QUEUE_PREFIX": "center7"}))
    assert "queue_prefix='center7'" in shown and "data_key='***'" in shown
    assert "secret_key=None" in repr(Settings())  # unset is said as unset


def test_runtime_repr_shows_no_key(tmp_path: Path) -> None:
    settings = Settings.from_env(SECRETS | {"DATABASE_URL": f"sqlite:///{tmp_path}/v.db"})
    runtime = Runtime(settings)
    runtime.keyring  # noqa: B018 - built, so its key material is in the object
    shown = repr(runtime)
    assert not [secret for secret in PLAIN if secret in shown]
    assert "v.db" in shown


def test_a_keyrings_repr_names_its_key_id_only() -> None:
    keyring = Keyring.parse(KEY)
    assert repr(keyring) == "Keyring(primary='k1')"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("sqlite:///var/verifier.db", "sqlite:///var/verifier.db"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("rediss://user:pw@host:6380/1", "rediss://user:***@host:6380/1"),
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
    ],
)
def test_mask_url_hides_only_the_password(url: str, masked: str) -> None:
    assert mask_url(url) == masked

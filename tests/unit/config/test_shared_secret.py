"""The development SECRET_KEY: made once into var/, the same for every process."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from config.settings import Settings, SettingsError, shared_secret


def _read(path: str) -> str:
    return shared_secret(Path(path))


def test_the_first_use_makes_a_private_secret_and_later_uses_read_it(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    first = shared_secret(path)
    assert len(first) == 64
    assert shared_secret(path) == first
    assert path.stat().st_mode & 0o777 == 0o600


def test_processes_racing_to_make_it_all_get_the_same_secret(tmp_path: Path) -> None:
    path = str(tmp_path / "secret.key")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        secrets = pool.map(_read, [path] * 8)
    assert len(set(secrets)) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".secret-")]


def test_settings_without_secret_key_use_the_shared_file(tmp_path: Path) -> None:
    settings = Settings.from_env({"VERIFIER_SECRET_KEY_FILE": str(tmp_path / "s.key")})
    assert settings.flask_secret_key() == (tmp_path / "s.key").read_text().strip()
    assert Settings.from_env({"SECRET_KEY": "given"}).flask_secret_key() == "given"


def test_an_empty_secret_file_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "s.key").write_text("\n")
    with pytest.raises(SettingsError, match="delete it"):
        shared_secret(tmp_path / "s.key")

"""``flask --app wsgi`` finds the service's Redis (var/redis.url) and never guesses one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import SettingsError
from tests.conftest import ROOT
from verifier.ops.redis_url import publish, service_env, withdraw

FLASK = str(Path(sys.executable).parent / "flask")


def test_the_url_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "redis.url"
    publish("redis://:secret@127.0.0.1:7001/0", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "redis://:secret@127.0.0.1:7001/0\n"


def test_redis_url_wins_then_the_file_then_a_refusal(tmp_path: Path) -> None:
    path = tmp_path / "redis.url"
    env = {"VERIFIER_REDIS_URL_FILE": str(path)}
    with pytest.raises(SettingsError, match=r"REDIS_URL is not set and .* does not exist"):
        service_env(env)
    publish("redis://127.0.0.1:7002/0", path)
    assert service_env(env)["REDIS_URL"] == "redis://127.0.0.1:7002/0"
    assert service_env(env | {"REDIS_URL": "redis://elsewhere:6379/0"})["REDIS_URL"] == (
        "redis://elsewhere:6379/0"
    )


def test_withdraw_leaves_another_services_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "redis.url"
    publish("redis://127.0.0.1:7003/0", path)
    withdraw("redis://127.0.0.1:9999/0", path)
    assert path.exists()
    withdraw("redis://127.0.0.1:7003/0", path)
    assert not path.exists()


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run(
        [FLASK, "--app", "wsgi", *args],
        cwd=ROOT,
        env=base | env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_command_uses_the_running_services_redis(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "redis.url"
    publish(service_env["REDIS_URL"], path)
    env = {k: v for k, v in service_env.items() if k != "REDIS_URL"}
    done = _flask(env | {"VERIFIER_REDIS_URL_FILE": str(path)}, "jobs", "run", "refresh_due")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("refresh_due: ")


def test_a_command_without_a_service_refuses_and_says_why(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in service_env.items() if k != "REDIS_URL"}
    done = _flask(env | {"VERIFIER_REDIS_URL_FILE": str(tmp_path / "none")}, "jobs", "list")
    assert done.returncode != 0
    assert "REDIS_URL is not set" in done.stderr
    assert "6379" not in done.stdout

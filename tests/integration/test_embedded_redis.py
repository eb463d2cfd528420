"""The embedded Redis make run starts: a password, kept off the command line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import AuthenticationError, ResponseError

from tests.conftest import free_port
from verifier.supervisor import redis_server_argv, wait_for_port


def test_the_embedded_redis_refuses_clients_without_its_password(tmp_path: Path) -> None:
    port = free_port()
    argv = redis_server_argv(port, tmp_path, persistent=False, password="s3cret-pass-word")
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        with pytest.raises((AuthenticationError, ResponseError), match=r"(?i)auth"):
            Redis(port=port).set("job", "shutil.copyfile")
        assert Redis(port=port, password="s3cret-pass-word").ping()
    finally:
        server.terminate()
        server.wait(10)
    assert not any("s3cret" in part for part in argv)  # ps shows argv to every user
    assert (tmp_path / "redis.conf").stat().st_mode & 0o077 == 0

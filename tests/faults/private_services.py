"""A PostgreSQL cluster and a small filesystem of the drill's own (never the shared ones).

PostgreSQL: initdb + pg_ctl from /usr/lib/postgresql/*/bin into a temporary directory, on a
free loopback port, trust auth; run as the ``postgres`` system user when the tests run as
root (initdb refuses root). Disk full: a tmpfs of a few megabytes (needs mount rights).
Where either cannot be had, the drill is skipped with the reason, and fails instead under
VERIFIER_REQUIRE_FAULTS=1 (CI).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port


def unavailable(reason: str) -> None:
    if os.environ.get("VERIFIER_REQUIRE_FAULTS") == "1":
        pytest.fail(f"{reason} (VERIFIER_REQUIRE_FAULTS=1)")
    pytest.skip(reason)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    def __init__(self, bin_dir: Path, data: Path) -> None:
        self.bin_dir, self.data = bin_dir, data
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *argv: str) -> None:
        subprocess.run([*self._as, *argv], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.data.mkdir(parents=True)
        if self._as:
            shutil.chown(self.data, "postgres", "postgres")
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-w", "-t", "60", "-l", str(self.data / "log"), "start")  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                      "-w", "stop")  # fmt: skip


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        unavailable("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        raise AssertionError("unreachable")
    # Not under pytest's tmp_path: its parents are private to root, and the server runs
    # as the postgres user when we are root.
    root = Path(tempfile.mkdtemp(prefix="verifier-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PrivatePostgres(bin_dir, root / "data")
    try:
        cluster.init()
        cluster.start()
    except (subprocess.CalledProcessError, OSError) as exc:
        unavailable(f"a private PostgreSQL cluster would not start: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def small_tmpfs(mountpoint: Path, megabytes: int) -> Iterator[Path]:
    mountpoint.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        unavailable(f"cannot mount a tmpfs for the disk-full drill: {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False, capture_output=True)

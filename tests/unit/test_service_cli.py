"""``verifier run|web|worker|cron|migrate``: the console scripts the package installs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from verifier import supervisor
from verifier.cli.service import main


def test_migrate_brings_a_new_database_to_the_latest_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # not contacted by migrate
    assert main(["migrate"]) == 0
    assert "latest migration" in capsys.readouterr().out
    columns = {c["name"] for c in inspect(create_engine(url)).get_columns("verifications")}
    assert "lease_holder" in columns


def test_a_part_without_redis_refuses_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("VERIFIER_REDIS_URL_FILE", str(tmp_path / "absent"))
    assert main(["worker", "visitor"]) == 2
    assert "REDIS_URL is not set" in capsys.readouterr().err


def test_an_unknown_worker_kind_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as raised:
        main(["worker", "everything"])
    assert raised.value.code == 2


@pytest.mark.parametrize(
    ("kind", "queues"),
    [("visitor", ["p-visitor"]), ("batch", ["p-visitor", "p-batch"]), ("cron", ["p-cron"])],
)
def test_each_worker_kind_serves_its_queues(kind: str, queues: list[str]) -> None:
    argv = supervisor.worker_argv("p", kind)
    worker_class = "MaintenanceWorker" if kind == "cron" else "VerifierWorker"
    assert argv[argv.index("--worker-class") + 1] == f"workers.worker.{worker_class}"
    assert argv[-len(queues) :] == queues
    assert not [part for part in argv if "redis://" in part]  # the URL travels in the env

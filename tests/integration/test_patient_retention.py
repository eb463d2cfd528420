"""Retention for visitors who became patients: the visitors' purge (VERIFIER_RETENTION_DAYS)
passes them by; VERIFIER_PATIENT_RETENTION_DAYS (0: never, the facility's records policy
governs) counts from the mark. Every purge leaves its audit row.

The purge runs "as of" months ahead, so this module has a database of its own (it
would otherwise erase other tests' rows); checks run in-process on the sandbox payer.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select

from config.settings import Settings, SettingsError
from tests.conftest import migrated_database
from tests.fakes.rows import row_of
from tests.fakes.submissions import submit_member
from verifier.runtime import Runtime
from verifier.staff import accounts, patients
from verifier.staff.accounts import Staff
from verifier.store.migrate import alembic_config, downgrade, upgrade
from verifier.store.models import AuditEvent, Verification
from verifier.verifications import maintenance
from verifier.verifications.check import run_check
from verifier.verifications.lifecycle import utcnow

DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def own_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with migrated_database(database_url, tmp_path_factory.mktemp("retention")) as url:
        yield url


@pytest.fixture
def runtime_with(
    runtime_for: Callable[..., Runtime],
    service_env: dict[str, str],
    own_database: str,
) -> Callable[..., Runtime]:
    """A runtime on this module's database, with settings changed; queues no worker serves."""
    env = service_env | {
        "DATABASE_URL": own_database,
        "VERIFIER_QUEUE_PREFIX": f"vret{uuid.uuid4().hex[:10]}",
    }
    return functools.partial(runtime_for, env)


def checked(runtime: Runtime, source: str = "visitor") -> str:
    """A finished verification (the sandbox answers at once)."""
    vid = submit_member(runtime, f"SBX-ACTIVE-{uuid.uuid4().hex[:6]}", source=source)
    assert run_check(runtime, vid) == "completed"
    return vid


def coordinator(runtime: Runtime) -> Staff:
    email = f"coordinator-{uuid.uuid4().hex[:8]}@center.example"
    accounts.create_user(runtime, email, "coordinator")
    return accounts.issue_token(runtime, email)[0]


def purged(runtime: Runtime, vid: str) -> bool:
    row = row_of(runtime, vid)
    return row.purged_at is not None and row.member_enc == "" and row.index_member_id is None


def purge_audit(runtime: Runtime, vid: str) -> list[tuple[str, str]]:
    with runtime.db.session() as session:
        events = session.execute(
            select(AuditEvent).where(AuditEvent.object_id == vid, AuditEvent.action == "purge")
        ).scalars()
        return [(e.actor, e.outcome) for e in events]


def test_an_unmarked_visitor_verification_is_purged_after_90_days(
    runtime_with: Callable[..., Runtime],
) -> None:
    runtime = runtime_with()
    vid = checked(runtime)
    maintenance.purge_expired(runtime, now=utcnow() + 89 * DAY)
    assert not purged(runtime, vid)
    maintenance.purge_expired(runtime, now=utcnow() + 91 * DAY)
    assert purged(runtime, vid)
    assert purge_audit(runtime, vid) == [(maintenance.PURGE_ACTOR, "ok")]


def test_a_visitor_who_became_a_patient_is_kept_by_default(
    runtime_with: Callable[..., Runtime],
) -> None:
    runtime = runtime_with()
    assert runtime.settings.patient_retention_days == 0
    vid = checked(runtime)
    patients.mark(runtime, coordinator(runtime), vid)
    maintenance.purge_expired(runtime, now=utcnow() + 3650 * DAY)
    assert not purged(runtime, vid)
    assert purge_audit(runtime, vid) == []


def test_a_patient_is_purged_once_the_patient_retention_has_passed_since_the_mark(
    runtime_with: Callable[..., Runtime],
) -> None:
    runtime = runtime_with(patient_retention_days=365)
    vid = checked(runtime)
    patients.mark(runtime, coordinator(runtime), vid)
    maintenance.purge_expired(runtime, now=utcnow() + 364 * DAY)
    assert not purged(runtime, vid)
    maintenance.purge_expired(runtime, now=utcnow() + 366 * DAY)
    assert purged(runtime, vid)
    assert row_of(runtime, vid).became_patient_at is not None  # the mark itself stays
    assert purge_audit(runtime, vid) == [(maintenance.PURGE_ACTOR, "ok")]


def test_undoing_the_mark_puts_the_visitor_back_under_the_visitors_retention(
    runtime_with: Callable[..., Runtime],
) -> None:
    runtime = runtime_with()
    vid = checked(runtime)
    patients.mark(runtime, coordinator(runtime), vid)
    patients.unmark(runtime, vid)
    maintenance.purge_expired(runtime, now=utcnow() + 91 * DAY)
    assert purged(runtime, vid)


def test_staff_and_batch_verifications_are_never_purged_marked_or_not(
    runtime_with: Callable[..., Runtime],
) -> None:
    runtime = runtime_with(patient_retention_days=1)
    staff_row, batch_row = checked(runtime, "staff"), checked(runtime, "batch")
    patients.mark(runtime, coordinator(runtime), staff_row)
    maintenance.purge_expired(runtime, now=utcnow() + 3650 * DAY)
    assert not purged(runtime, staff_row) and not purged(runtime, batch_row)


def test_the_purge_checks_the_mark_again_as_it_erases(
    runtime_with: Callable[..., Runtime],
) -> None:
    """A member marked between the purge's select and its update is not erased."""
    runtime = runtime_with()
    vid = checked(runtime)
    patients.mark(runtime, coordinator(runtime), vid)
    later = utcnow() + 91 * DAY
    assert not maintenance.purge_one(runtime, vid, later, Verification.became_patient_at.is_(None))
    assert not purged(runtime, vid)


def test_the_migrations_have_one_head_and_0005_goes_down_and_up(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    assert len(ScriptDirectory.from_config(alembic_config(url)).get_heads()) == 1
    upgrade(url)
    downgrade(url, "0004_sched")
    upgrade(url)


def test_patient_retention_is_read_from_the_environment_and_never_negative() -> None:
    env = {"VERIFIER_ENV": "test"}
    assert Settings.from_env(env).patient_retention_days == 0
    read = Settings.from_env(env | {"VERIFIER_PATIENT_RETENTION_DAYS": "2555"})
    assert read.patient_retention_days == 2555
    with pytest.raises(SettingsError, match="VERIFIER_PATIENT_RETENTION_DAYS"):
        Settings.from_env(env | {"VERIFIER_PATIENT_RETENTION_DAYS": "-1"})

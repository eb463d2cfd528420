"""Sign-in gives nothing away: no oracle, no timing tell, no code twice, no lock-out by others."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Literal

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.unit.staff.conftest import Account, sign_in
from verifier.staff import accounts
from verifier.store.models import AuditEvent

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_a_code_in_full_width_digits_is_refused_like_a_wrong_password(
    app: Any, coordinator: Account
) -> None:
    client = app.test_client()
    unicode_code = coordinator.code().translate(FULL_WIDTH)
    right_password = sign_in(client, coordinator, unicode_code)
    wrong = Account(coordinator.email, "not-the-password", coordinator.secret, "coordinator")
    wrong_password = sign_in(client, wrong, unicode_code)
    assert right_password.status_code == wrong_password.status_code == 401
    assert right_password.data.replace(b"\n", b"").count(b"not accepted") == 1
    assert right_password.data == wrong_password.data or (
        right_password.data.split(b'name="csrf_token"')[0]
        == wrong_password.data.split(b'name="csrf_token"')[0]
    )


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "12345６", "¹²³⁴⁵⁶"])
def test_only_six_ascii_digits_are_a_code(runtime: Any, coordinator: Account, code: str) -> None:
    result = accounts.authenticate(runtime, coordinator.email, coordinator.password, code)
    assert result is None


def test_one_code_signs_in_once_even_from_two_parallel_sign_ins(
    runtime: Any, coordinator: Account
) -> None:
    code = coordinator.code()
    start = threading.Barrier(2)
    results: list[Any] = []

    def attempt() -> None:
        start.wait()
        results.append(
            accounts.authenticate(runtime, coordinator.email, coordinator.password, code)
        )

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts argon2 verifications (the work that takes ~100 ms)."""
    getattr(accounts, "_dummy_hash", lambda: None)()  # made once per process
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            calls.append("verify")
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    return calls


def test_every_refusal_does_the_same_argon2_work(
    runtime: Any, coordinator: Account, admin: Account, verifications: list[str]
) -> None:
    """Unknown, disabled, locked and wrong-password answers cannot be told apart by time."""
    now = dt.datetime.now(dt.UTC)
    for _ in range(accounts.LOCK_AFTER):
        accounts.authenticate(runtime, coordinator.email, "wrong", "123456", now=now)
    accounts.disable_user(runtime, admin.email)
    paths = {
        "unknown": ("nobody@center.example", "x"),
        "disabled": (admin.email, admin.password),
        "locked": (coordinator.email, coordinator.password),
        "wrong password": (coordinator.email, "wrong"),
        "not an email": ("not an email", "x"),
    }
    for name, (email, password) in paths.items():
        verifications.clear()
        assert accounts.authenticate(runtime, email, password, "123456", now=now) is None
        assert len(verifications) == 1, name


def test_a_lock_from_one_address_does_not_keep_the_owner_out(
    runtime: Any, coordinator: Account
) -> None:
    now = dt.datetime.now(dt.UTC)
    for _ in range(accounts.LOCK_AFTER + 1):
        accounts.authenticate(
            runtime, coordinator.email, "wrong", "123456", now=now, source="203.0.113.9"
        )
    right = {"password": coordinator.password, "code": coordinator.code(now), "now": now}
    assert accounts.authenticate(runtime, coordinator.email, source="203.0.113.9", **right) is None
    assert accounts.authenticate(runtime, coordinator.email, source="198.51.100.4", **right)


def _last(runtime: Any, action: str) -> AuditEvent:
    with runtime.db.session() as session:
        event = (
            session.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
            )
            .scalars()
            .first()
        )
        assert event is not None
        session.expunge(event)
        return event


def _user_id(runtime: Any, email: str) -> str:
    from verifier.store.models import StaffUser

    with runtime.db.session() as session:
        return str(
            session.execute(select(StaffUser.id).where(StaffUser.email == email)).scalar_one()
        )


def test_a_failed_sign_in_names_the_account_and_a_lockout_is_recorded(
    app: Any, runtime: Any, coordinator: Account
) -> None:
    client = app.test_client()
    wrong = Account(coordinator.email, "nope", coordinator.secret, "coordinator")
    for _ in range(accounts.LOCK_AFTER):
        assert sign_in(client, wrong).status_code == 401
    account = _user_id(runtime, coordinator.email)
    assert _last(runtime, "login_failed").object_id == account
    locked = _last(runtime, "login_locked")
    assert locked.object_id == account and locked.outcome == "locked"


def test_a_failed_sign_in_for_no_account_says_unknown(app: Any, runtime: Any) -> None:
    nobody = Account("nobody-here@center.example", "x", pyotp.random_base32(), "coordinator")
    sign_in(app.test_client(), nobody)
    assert _last(runtime, "login_failed").object_id == "unknown"

"""Accounts: password + TOTP, lockout with backoff, disabling, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.unit.staff.conftest import Account
from verifier.staff import accounts


def test_the_right_password_and_code_sign_in(runtime: Any, coordinator: Account) -> None:
    staff = accounts.authenticate(
        runtime, coordinator.email, coordinator.password, coordinator.code()
    )
    assert staff is not None and staff.role == "coordinator"


def test_a_password_alone_is_not_enough(runtime: Any, coordinator: Account) -> None:
    assert accounts.authenticate(runtime, coordinator.email, coordinator.password, "") is None
    assert accounts.authenticate(
        runtime, coordinator.email, coordinator.password, "000000"
    ) is None or (coordinator.code() == "000000")


def test_a_wrong_password_is_refused(runtime: Any, coordinator: Account) -> None:
    assert accounts.authenticate(runtime, coordinator.email, "wrong", coordinator.code()) is None


def test_a_code_cannot_be_used_twice(runtime: Any, coordinator: Account) -> None:
    code = coordinator.code()
    assert accounts.authenticate(runtime, coordinator.email, coordinator.password, code)
    assert accounts.authenticate(runtime, coordinator.email, coordinator.password, code) is None


def test_passwords_are_stored_as_argon2id_hashes(runtime: Any, coordinator: Account) -> None:
    from sqlalchemy import select

    from verifier.store.models import StaffUser

    with runtime.db.session() as session:
        user = session.execute(
            select(StaffUser).where(StaffUser.email == coordinator.email)
        ).scalar_one()
        assert user.password_hash.startswith("$argon2id$")
        assert coordinator.secret not in user.totp_secret_enc


def test_repeated_failures_lock_the_account_with_backoff(
    runtime: Any, coordinator: Account
) -> None:
    now = dt.datetime.now(dt.UTC)
    for _ in range(accounts.LOCK_AFTER):
        accounts.authenticate(runtime, coordinator.email, "wrong", "123456", now=now)
    right = dict(password=coordinator.password, code=coordinator.code(now))
    assert accounts.authenticate(runtime, coordinator.email, now=now, **right) is None
    later = now + accounts.LOCK_BASE + dt.timedelta(seconds=1)
    assert accounts.authenticate(
        runtime, coordinator.email, coordinator.password, coordinator.code(later), now=later
    )


def test_a_disabled_user_cannot_sign_in(runtime: Any, coordinator: Account) -> None:
    accounts.disable_user(runtime, coordinator.email)
    assert (
        accounts.authenticate(runtime, coordinator.email, coordinator.password, coordinator.code())
        is None
    )


def test_an_unknown_email_is_refused_like_a_wrong_password(runtime: Any) -> None:
    assert accounts.authenticate(runtime, "nobody@center.example", "x", "123456") is None


def test_a_token_identifies_its_user(runtime: Any, coordinator: Account, token: str) -> None:
    staff = accounts.staff_for_token(runtime, token)
    assert staff is not None and staff.email == coordinator.email


def test_tokens_are_stored_hashed(runtime: Any, token: str) -> None:
    from sqlalchemy import select

    from verifier.store.models import ApiToken

    with runtime.db.session() as session:
        hashes = session.execute(select(ApiToken.token_hash)).scalars().all()
    assert token not in hashes
    assert accounts.hash_secret(token) in hashes


def test_a_revoked_token_no_longer_works(runtime: Any, coordinator: Account, token: str) -> None:
    assert accounts.revoke_tokens(runtime, coordinator.email) == 1
    assert accounts.staff_for_token(runtime, token) is None


def test_disabling_a_user_revokes_their_tokens(
    runtime: Any, coordinator: Account, token: str
) -> None:
    accounts.disable_user(runtime, coordinator.email)
    assert accounts.staff_for_token(runtime, token) is None


@pytest.mark.parametrize("role", ["root", ""])
def test_only_known_roles_can_be_created(runtime: Any, role: str) -> None:
    with pytest.raises(accounts.AccountError):
        accounts.create_user(runtime, "x@center.example", role)


def test_the_cli_creates_a_user_and_prints_the_secrets_once(runner: Any) -> None:
    result = runner.invoke(
        args=["users", "create", "cli-user@center.example", "--role", "coordinator"]
    )
    assert result.exit_code == 0, result.output
    assert "password:" in result.output and "totp secret:" in result.output
    token = runner.invoke(args=["users", "token", "cli-user@center.example"])
    assert token.exit_code == 0 and token.output.strip().startswith("vt_")
    disabled = runner.invoke(args=["users", "disable", "cli-user@center.example"])
    assert disabled.exit_code == 0
    again = runner.invoke(args=["users", "create", "cli-user@center.example"])
    assert again.exit_code != 0 and "already exists" in again.output

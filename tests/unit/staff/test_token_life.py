"""API tokens expire, and can be rotated without a gap; revoking them is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from sqlalchemy import select, update

from tests.unit.staff.conftest import Account
from verifier.staff import accounts
from verifier.store.models import ApiToken, AuditEvent


def test_a_token_works_until_it_expires(runtime: Any, coordinator: Account) -> None:
    issued = accounts.issue_token(runtime, coordinator.email, days=1)
    assert accounts.staff_for_token(runtime, issued.token) is not None
    with time_machine.travel(issued.expires_at + dt.timedelta(seconds=1)):
        assert accounts.staff_for_token(runtime, issued.token) is None


def test_tokens_expire_by_default(runtime: Any, coordinator: Account) -> None:
    issued = accounts.issue_token(runtime, coordinator.email)
    life = issued.expires_at - dt.datetime.now(dt.UTC)
    assert (
        dt.timedelta(days=accounts.TOKEN_DAYS - 1) < life <= dt.timedelta(days=accounts.TOKEN_DAYS)
    )


def test_a_token_from_before_expiry_existed_ends_its_default_life_after_issue(
    runtime: Any, coordinator: Account
) -> None:
    issued = accounts.issue_token(runtime, coordinator.email)
    with runtime.db.session() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == accounts.hash_secret(issued.token))
            .values(
                expires_at=None,
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=accounts.TOKEN_DAYS + 1),
            )
        )
    assert accounts.staff_for_token(runtime, issued.token) is None


@pytest.mark.parametrize("days", [0, accounts.MAX_TOKEN_DAYS + 1])
def test_a_token_life_outside_the_bounds_is_refused(
    runtime: Any, coordinator: Account, days: int
) -> None:
    with pytest.raises(accounts.AccountError):
        accounts.issue_token(runtime, coordinator.email, days=days)


def test_rotation_revokes_the_other_tokens_and_keeps_the_new_one(
    runtime: Any, coordinator: Account
) -> None:
    old = accounts.issue_token(runtime, coordinator.email)
    new = accounts.issue_token(runtime, coordinator.email, rotate=True)
    assert new.revoked >= 1
    assert accounts.staff_for_token(runtime, old.token) is None
    assert accounts.staff_for_token(runtime, new.token) is not None


def _actions(runtime: Any) -> list[str]:
    with runtime.db.session() as session:
        return list(
            session.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(3))
            .scalars()
            .all()
        )


def test_the_cli_rotates_and_audits(runner: Any, runtime: Any, coordinator: Account) -> None:
    result = runner.invoke(args=["users", "token", coordinator.email, "--days", "7", "--rotate"])
    assert result.exit_code == 0, result.output
    assert "expires" in result.output
    assert _actions(runtime)[:2] == ["tokens_revoked", "token_issued"]


def test_revoking_tokens_is_audited(runner: Any, runtime: Any, coordinator: Account) -> None:
    result = runner.invoke(args=["users", "revoke-tokens", coordinator.email])
    assert result.exit_code == 0, result.output
    assert _actions(runtime)[0] == "tokens_revoked"

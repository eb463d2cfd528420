"""Staff fixtures: accounts with their one-time secrets, codes, tokens, signed-in clients."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from sqlalchemy import update

from tests.fakes.submissions import URL, valid_body
from verifier.staff import accounts
from verifier.store.models import StaffUser
from verifier.verifications.check import run_check


@dataclass
class Account:
    email: str
    password: str
    secret: str
    role: str

    def code(self, at: dt.datetime | None = None) -> str:
        return pyotp.TOTP(self.secret).at(at or dt.datetime.now(dt.UTC))

    def next_code(self) -> str:
        """The next step's code (valid within the ±1 step window, and not yet used)."""
        return pyotp.TOTP(self.secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))


def make_account(runtime: Any, role: str, *, first_sign_in: bool = False) -> Account:
    """An account; unless ``first_sign_in``, one whose owner already chose a password
    (the one-time password is kept as theirs, without the cost of another argon2 hash)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@center.example"
    created = accounts.create_user(runtime, email, role)
    if not first_sign_in:
        with runtime.db.session() as session:
            session.execute(
                update(StaffUser)
                .where(StaffUser.email == email)
                .values(password_change_required=False)
            )
    return Account(email, created.password, created.totp_secret, role)


@pytest.fixture
def coordinator(runtime: Any) -> Account:
    return make_account(runtime, "coordinator")


@pytest.fixture
def admin(runtime: Any) -> Account:
    return make_account(runtime, "admin")


@pytest.fixture
def token(runtime: Any, coordinator: Account) -> str:
    return accounts.issue_token(runtime, coordinator.email)[1]


@pytest.fixture
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: Any, account: Account, code: str | None = None) -> Any:
    page = client.get("/console/login")
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert csrf is not None
    return client.post(
        "/console/login",
        data={
            "csrf_token": csrf.group(1).decode(),
            "email": account.email,
            "password": account.password,
            "code": code or account.code(),
        },
    )


def csrf_of(page: Any) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert found is not None
    return found.group(1).decode()


@pytest.fixture
def signed_in(app: Any, coordinator: Account) -> Any:
    client = app.test_client()
    response = sign_in(client, coordinator)
    assert response.status_code == 302, response.data
    return client


@pytest.fixture
def settings(inline_settings: Any) -> Any:
    """Staff tests run checks in-process; no session worker may take their jobs."""
    return inline_settings


def letters(n: int = 10) -> str:
    """A name no other test uses (the database lives for the whole session)."""
    return "".join(chr(ord("A") + int(ch, 16)) for ch in uuid.uuid4().hex[:n])


@pytest.fixture
def member() -> dict[str, str]:
    return {
        "first_name": "Orsolya",
        "last_name": "Vantongeren" + letters(),
        "date_of_birth": "1971-02-03",
        "member_id": "SBX-ACTIVE-" + letters(),
    }


@pytest.fixture
def submitted(client: Any, runtime: Any, member: dict[str, str]) -> str:
    body = valid_body()
    body["member"] |= member
    verification_id: str = client.post(URL, json=body).get_json()["id"]
    run_check(runtime, verification_id)
    return verification_id

"""The one-time password works once: the console asks for the user's own first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.staff.conftest import Account, csrf_of, make_account, sign_in
from verifier.staff import accounts


@pytest.fixture
def newcomer(runtime: Any) -> Account:
    return make_account(runtime, "coordinator", first_sign_in=True)


@pytest.fixture
def first_client(app: Any, newcomer: Account) -> Any:
    client = app.test_client()
    assert sign_in(client, newcomer).status_code == 302
    return client


@pytest.mark.parametrize("path", ["/console", "/console/search", "/console/callbacks"])
def test_every_console_page_asks_for_a_new_password_first(first_client: Any, path: str) -> None:
    response = first_client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/password"


def test_the_page_says_why(first_client: Any) -> None:
    page = first_client.get("/console/password")
    assert page.status_code == 200
    assert b"The password you were given works once." in page.data


def change(client: Any, current: str, new: str, again: str | None = None) -> Any:
    page = client.get("/console/password")
    return client.post(
        "/console/password",
        data={
            "csrf_token": csrf_of(page),
            "current": current,
            "new": new,
            "again": new if again is None else again,
        },
    )


def test_after_choosing_one_the_console_opens_and_the_old_password_is_gone(
    app: Any, runtime: Any, first_client: Any, newcomer: Account
) -> None:
    response = change(first_client, newcomer.password, "a brand new passphrase")
    assert response.status_code == 302 and response.headers["Location"] == "/console"
    assert first_client.get("/console").status_code == 200
    assert (
        accounts.authenticate(runtime, newcomer.email, newcomer.password, newcomer.next_code())
        is None
    )
    assert accounts.authenticate(
        runtime, newcomer.email, "a brand new passphrase", newcomer.next_code()
    )


@pytest.mark.parametrize(
    ("new", "again", "told"),
    [
        ("short", None, b"at least 12 characters"),
        ("long enough one", "long enough two", b"The two new passwords differ."),
    ],
)
def test_a_bad_choice_is_refused_saying_why(
    first_client: Any, newcomer: Account, new: str, again: str | None, told: bytes
) -> None:
    response = change(first_client, newcomer.password, new, again)
    assert response.status_code == 400
    assert told in response.data


def test_the_same_password_again_is_refused(first_client: Any, newcomer: Account) -> None:
    response = change(first_client, newcomer.password, newcomer.password)
    assert response.status_code == 400
    assert b"different from the one you were given" in response.data


def test_a_wrong_current_password_is_refused(first_client: Any) -> None:
    response = change(first_client, "not the one given", "a brand new passphrase")
    assert response.status_code == 400
    assert b"The current password is not right." in response.data

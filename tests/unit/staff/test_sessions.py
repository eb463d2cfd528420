"""Console sessions: server-side, ended by logout, idle and absolute timeouts, fixation-proof."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.unit.staff.conftest import Account, csrf_of, sign_in
from verifier.staff import accounts, sessions


def cookie(client: Any) -> str | None:
    found = client.get_cookie(sessions.COOKIE)
    return found.value if found else None


def test_sign_in_opens_the_console(signed_in: Any) -> None:
    assert signed_in.get("/console").status_code == 200


def test_logout_ends_the_session_even_for_a_replayed_cookie(app: Any, signed_in: Any) -> None:
    stolen = cookie(signed_in)
    page = signed_in.get("/console")
    assert signed_in.post("/console/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie(sessions.COOKIE, stolen or "")
    response = replay.get("/console")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_sign_in_issues_a_new_session_id(app: Any, coordinator: Account) -> None:
    client = app.test_client()
    client.set_cookie(sessions.COOKIE, "attacker-chosen-id")
    sign_in(client, coordinator)
    assert cookie(client) not in (None, "attacker-chosen-id")


def test_a_session_idle_for_30_minutes_expires(runtime: Any, coordinator: Account) -> None:
    staff = accounts.authenticate(
        runtime, coordinator.email, coordinator.password, coordinator.code()
    )
    assert staff is not None
    start = dt.datetime.now(dt.UTC)
    session_id = sessions.start(runtime, staff, now=start)
    assert sessions.load(runtime, session_id, now=start + dt.timedelta(minutes=29))
    assert sessions.load(runtime, session_id, now=start + dt.timedelta(minutes=60)) is None


def test_a_busy_session_still_ends_after_12_hours(runtime: Any, coordinator: Account) -> None:
    staff = accounts.authenticate(
        runtime, coordinator.email, coordinator.password, coordinator.code()
    )
    assert staff is not None
    start = dt.datetime.now(dt.UTC)
    session_id = sessions.start(runtime, staff, now=start)
    moment = start
    while moment < start + dt.timedelta(hours=11, minutes=50):
        moment += dt.timedelta(minutes=20)
        assert sessions.load(runtime, session_id, now=moment) is not None
    assert sessions.load(runtime, session_id, now=start + dt.timedelta(hours=12, minutes=1)) is None


def test_disabling_a_user_ends_their_sessions(
    runtime: Any, signed_in: Any, coordinator: Account
) -> None:
    accounts.disable_user(runtime, coordinator.email)
    assert signed_in.get("/console").status_code == 302


def test_a_form_without_the_session_csrf_token_is_refused(signed_in: Any) -> None:
    assert signed_in.post("/console/logout", data={}).status_code == 403


def test_a_failed_sign_in_says_nothing_about_which_part_was_wrong(
    app: Any, coordinator: Account
) -> None:
    client = app.test_client()
    wrong = Account(coordinator.email, "not-the-password", coordinator.secret, coordinator.role)
    response = sign_in(client, wrong)
    assert response.status_code == 401
    assert b"Email, password or code not accepted" in response.data


def test_the_login_form_needs_its_csrf_cookie(app: Any, coordinator: Account) -> None:
    response = app.test_client().post(
        "/console/login",
        data={
            "csrf_token": "x",
            "email": coordinator.email,
            "password": coordinator.password,
            "code": coordinator.code(),
        },
    )
    assert response.status_code == 400


def test_next_only_redirects_inside_the_console(app: Any, coordinator: Account) -> None:
    client = app.test_client()
    page = client.get("/console/login?next=https://evil.example/")
    response = client.post(
        "/console/login",
        data={
            "csrf_token": csrf_of(page),
            "email": coordinator.email,
            "password": coordinator.password,
            "code": coordinator.code(),
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console")


def test_a_console_action_on_an_unknown_id_is_404(signed_in: Any) -> None:
    page = signed_in.get("/console")
    response = signed_in.post(
        f"/console/verifications/{'0' * 32}/review", data={"csrf_token": csrf_of(page)}
    )
    assert response.status_code == 404


def test_callback_requests_show_up_for_staff_and_can_be_marked_called(
    signed_in: Any, runtime: Any
) -> None:
    from verifier.store.records import ContactRecord
    from verifier.verifications.callbacks import list_callback_requests, request_callback

    request_id = request_callback(
        runtime, ContactRecord(phone="555-777-1212", callback_requested=True), name="Ana"
    )
    page = signed_in.get("/console/callbacks")
    assert page.status_code == 200 and b"555-777-1212" in page.data
    response = signed_in.post(
        f"/console/callbacks/{request_id}", data={"csrf_token": csrf_of(page), "status": "called"}
    )
    assert response.status_code == 302
    listed = [c for c in list_callback_requests(runtime) if c.id == request_id]
    assert listed[0].status == "called"

"""A job that runs twice changes nothing the second time (RQ delivers at least once)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.fakes.submissions import URL, valid_body
from verifier.store.crypto import DecryptionError
from verifier.store.models import Attempt, Verification
from verifier.verifications.check import claim, run_check
from verifier.x12.charset import X12InputError


@pytest.fixture
def settings(inline_settings: Any) -> Any:
    """These tests run each check in-process; no session worker may take their jobs."""
    return inline_settings


def submit(client: Any, member_id: str = "SBX-ACTIVE-IDEM") -> str:
    body = valid_body()
    body["member"]["member_id"] = member_id
    verification_id: str = client.post(URL, json=body).get_json()["id"]
    return verification_id


def snapshot(runtime: Any, verification_id: str) -> tuple[Any, ...]:
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        assert row is not None
        attempts = session.execute(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.verification_id == verification_id)
        ).scalar_one()
        return (row.status, row.updated_at, row.attempt_count, row.summary, attempts)


def test_running_a_finished_verification_again_changes_nothing(client: Any, runtime: Any) -> None:
    verification_id = submit(client)
    assert run_check(runtime, verification_id) == "completed"
    before = snapshot(runtime, verification_id)
    assert run_check(runtime, verification_id) is None
    assert snapshot(runtime, verification_id) == before


def test_a_verification_running_under_a_live_lease_is_not_taken_twice(
    client: Any, runtime: Any
) -> None:
    import datetime as dt

    verification_id = submit(client)
    assert claim(runtime, verification_id, dt.datetime.now(dt.UTC)) is not None
    assert run_check(runtime, verification_id) is None


def test_an_expired_lease_lets_another_worker_take_over(client: Any, runtime: Any) -> None:
    import datetime as dt

    verification_id = submit(client)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert claim(runtime, verification_id, long_ago) is not None
    assert run_check(runtime, verification_id) == "completed"
    assert snapshot(runtime, verification_id)[2] == 2  # the lost attempt and the real one


def test_each_attempt_is_recorded_with_its_sealed_exchange(client: Any, runtime: Any) -> None:
    verification_id = submit(client)
    run_check(runtime, verification_id)
    with runtime.db.session() as session:
        attempt = session.execute(
            select(Attempt).where(Attempt.verification_id == verification_id)
        ).scalar_one()
        assert attempt.adapter == "sandbox"
        assert attempt.outcome == "completed"
        assert attempt.request_enc and attempt.response_enc
        assert "ISA" not in attempt.request_enc
        assert attempt.trace_number == f"{verification_id}-1"


def test_a_bad_provider_configuration_is_not_blamed_on_the_visitor(
    client: Any, runtime: Any, monkeypatch: Any
) -> None:
    """An X12 refusal of our own data (here the NPI) is an internal error, retried."""
    import dataclasses

    verification_id = submit(client)
    broken = dataclasses.replace(runtime.facility, npi="12")
    monkeypatch.setattr(type(runtime), "facility", property(lambda _self: broken))
    with pytest.raises(X12InputError, match=r"provider\.npi"):
        run_check(runtime, verification_id)
    with runtime.db.session() as session:
        row = session.get_one(Verification, verification_id)
        assert (row.status, row.reason) == ("retry_wait", "internal_error")


def test_a_member_record_that_will_not_open_fails_the_attempt_not_the_claim(
    client: Any, runtime: Any
) -> None:
    """A sealed value under a key no longer in the ring (removed before `db rekey`
    finished): the attempt is closed as an internal error, the row waits for a retry,
    nothing is left running."""
    verification_id = submit(client)
    with runtime.db.session() as session:
        row = session.get_one(Verification, verification_id)
        version, _, rest = row.member_enc.partition(".")
        row.member_enc = f"{version}.retired-key.{rest.partition('.')[2]}"
    with pytest.raises(DecryptionError):
        run_check(runtime, verification_id)
    with runtime.db.session() as session:
        row = session.get_one(Verification, verification_id)
        assert (row.status, row.reason) == ("retry_wait", "internal_error")
        assert row.lease_expires_at is None
        attempt = session.execute(
            select(Attempt).where(Attempt.verification_id == verification_id)
        ).scalar_one()
        assert (attempt.outcome, attempt.finished_at is not None) == ("error", True)

"""The audit trail: exactly one row per staff action, no PHI, a chain that shows tampering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.fakes.submissions import URL, valid_body
from tests.unit.staff.conftest import Account, csrf_of, sign_in
from verifier import audit
from verifier.store.models import AuditEvent
from verifier.verifications.check import run_check


def count(runtime: Any, action: str) -> int:
    with runtime.db.session() as session:
        return int(
            session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            ).scalar_one()
        )


def writes_one(runtime: Any, action: str, do: Callable[[], Any]) -> None:
    before = count(runtime, action)
    do()
    assert count(runtime, action) == before + 1, action


@pytest.fixture
def verification(client: Any, runtime: Any) -> str:
    verification_id: str = client.post(URL, json=valid_body()).get_json()["id"]
    run_check(runtime, verification_id)
    return verification_id


def test_login_logout_and_failed_login_each_write_one_row(
    app: Any, runtime: Any, coordinator: Account
) -> None:
    client = app.test_client()
    wrong = Account(coordinator.email, "nope", coordinator.secret, "coordinator")
    writes_one(runtime, "login_failed", lambda: sign_in(client, wrong))
    writes_one(runtime, "login", lambda: sign_in(client, coordinator, coordinator.next_code()))
    page = client.get("/console")
    writes_one(
        runtime,
        "logout",
        lambda: client.post("/console/logout", data={"csrf_token": csrf_of(page)}),
    )


def test_a_refused_request_writes_one_authorization_failed_row(client: Any, runtime: Any) -> None:
    writes_one(runtime, "authorization_failed", lambda: client.get(URL))


@pytest.mark.parametrize(
    ("action", "method", "path", "body"),
    [
        ("view", "GET", "/{id}", None),
        ("search", "POST", "/search", {"q": "Zelpha"}),
        ("export", "GET", "/export.csv", None),
        ("rerun", "POST", "/{id}/rerun", {}),
        ("note", "POST", "/{id}/notes", {"text": "called the payer"}),
        ("review", "POST", "/{id}/review", {}),
        (
            "manual_entry",
            "POST",
            "/{id}/manual",
            {
                "reference_number": "R1",
                "rep_name": "Sam",
                "level_of_care": "iop",
                "coverage_status": "active",
            },
        ),
    ],
)
def test_each_staff_action_writes_exactly_one_row(
    client: Any,
    runtime: Any,
    bearer: dict[str, str],
    verification: str,
    action: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    url = URL + path.format(id=verification)
    writes_one(runtime, action, lambda: client.open(url, method=method, json=body, headers=bearer))


def test_audit_rows_hold_ids_not_phi(
    client: Any, runtime: Any, bearer: dict[str, str], verification: str
) -> None:
    client.get(f"{URL}/{verification}", headers=bearer)
    client.post(f"{URL}/search", json={"q": "Quintavius"}, headers=bearer)
    with runtime.db.session() as session:
        rows = session.execute(select(AuditEvent)).scalars().all()
        blob = " ".join(
            f"{r.actor} {r.object_type} {r.object_id} {r.outcome}" for r in rows
        ).upper()
    assert "QUINTAVIUS" not in blob and "ZELPHA" not in blob and "1988-04-12" not in blob


def test_the_chain_verifies(
    runner: Any, client: Any, bearer: dict[str, str], verification: str
) -> None:
    client.get(f"{URL}/{verification}", headers=bearer)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_a_changed_row_is_detected(
    runner: Any, runtime: Any, client: Any, bearer: dict[str, str], verification: str
) -> None:
    """Only by going around the database's own refusal can a row change; verify sees it."""
    client.get(f"{URL}/{verification}", headers=bearer)
    engine = runtime.db.engine
    with runtime.db.session() as session:
        target = (
            session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        )
        assert target is not None
        target_id, actor = target.id, target.actor
    postgres = engine.dialect.name == "postgresql"
    guard = "ALTER TABLE audit_events {} TRIGGER audit_events_no_change" if postgres else None
    with engine.begin() as connection:
        if postgres:
            connection.execute(text(guard.format("DISABLE")))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(
            text("UPDATE audit_events SET actor = 'someone-else' WHERE id = :id"), {"id": target_id}
        )
    try:
        report = audit.verify(runtime.db, runtime.audit_keys)
        assert report.broken_at == target_id
        assert runner.invoke(args=["audit", "verify"]).exit_code == 1
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE audit_events SET actor = :a WHERE id = :id"),
                {"a": actor, "id": target_id},
            )
            if postgres:
                connection.execute(text(guard.format("ENABLE")))
            else:
                connection.execute(
                    text(
                        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
                    )
                )
    assert audit.verify(runtime.db, runtime.audit_keys).broken_at is None


def test_concurrent_appends_keep_one_chain(runtime: Any) -> None:
    import threading

    def append() -> None:
        for _ in range(5):
            audit.record(runtime.db, runtime.audit_keys, audit.Entry(actor="t", action="search"))

    threads = [threading.Thread(target=append) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert audit.verify(runtime.db, runtime.audit_keys).broken_at is None

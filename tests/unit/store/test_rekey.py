"""``db rekey``: every sealed value moves to the primary key, resumably, without PHI out."""

from __future__ import annotations

import dataclasses
from typing import Any

import pyotp
import pytest
from sqlalchemy import delete, select, update

from tests.unit.store.rotation import (
    NEW,
    OLD,
    AppMaker,
    Seeded,
    apps,  # noqa: F401 - fixture
    seed_everything,
    submit,
)
from verifier import audit
from verifier.staff import accounts, authorizations, phone_vob, work
from verifier.store.crypto import Keyring
from verifier.store.models import (
    Attempt,
    AuditEvent,
    Authorization,
    Disclosure,
    Note,
    PhoneVob,
    Verification,
)
from verifier.store.records import seal, unseal
from verifier.store.rekey import SEALED_COLUMNS, count, rekey
from verifier.verifications.callbacks import callback_contact

ROTATED = f"{NEW},{OLD}"


@pytest.fixture
def seeded(apps: AppMaker) -> Seeded:  # noqa: F811 - fixture
    return seed_everything(apps(OLD).extensions["verifier"])


@pytest.fixture
def rotated(apps: AppMaker, seeded: Seeded) -> Any:  # noqa: F811 - fixture
    """The app once the new key is put first (and restarted), before any re-keying."""
    return apps(ROTATED)


def outside_primary(runtime: Any) -> int:
    keyring = runtime.keyring
    return sum(c.outside_primary(keyring.primary) for c in count(runtime.db, keyring))


def key_ids(runtime: Any) -> dict[str, dict[str, int]]:
    """Per column, the count under each key id that holds any value."""
    counts = count(runtime.db, runtime.keyring)
    return {c.column: {k: n for k, n in c.by_key.items() if n} for c in counts}


def sealed_result(runtime: Any, verification_id: str) -> str:
    """The normalized result as stored (no reader of it is exposed to staff)."""
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        assert row is not None and row.result_enc is not None
        return str(unseal(runtime.keyring, "result", verification_id, row.result_enc))


# --- the work itself ---------------------------------------------------------------------


def test_every_sealed_column_is_seeded_and_moves_to_the_new_key(
    rotated: Any, seeded: Seeded
) -> None:
    runtime = rotated.extensions["verifier"]
    before = key_ids(runtime)
    assert {column for column, keys in before.items() if keys == {}} == set()
    assert all(set(keys) == {"old"} for keys in before.values()), before

    report = rekey(runtime.db, runtime.keyring)

    assert report.unreadable == [] and not report.stopped_at_limit
    assert all(column.resealed >= 1 for column in report.columns)
    assert all(set(keys) == {"new"} for keys in key_ids(runtime).values())
    assert outside_primary(runtime) == 0


def test_re_sealed_values_open_to_the_same_plaintext_with_only_the_new_key(
    apps: AppMaker, rotated: Any, seeded: Seeded  # noqa: F811 - fixture
) -> None:
    runtime = rotated.extensions["verifier"]
    before = work.detail(runtime, seeded.verification_id)
    result_before = sealed_result(runtime, seeded.verification_id)
    rekey(runtime.db, runtime.keyring)

    only_new = apps(NEW).extensions["verifier"]
    after = work.detail(only_new, seeded.verification_id)
    assert after["member"] == before["member"]
    assert after["contact"] == before["contact"] and after["contact"]["phone"] == seeded.phone
    assert [n["text"] for n in after["notes"]] == [seeded.note_text]
    assert [(a["request"], a["response"]) for a in after["attempts"]] == [
        (a["request"], a["response"]) for a in before["attempts"]
    ]
    assert any(a["request"] for a in after["attempts"])  # the newest is the phone VOB's
    assert phone_vob.phone_vobs(only_new, seeded.verification_id)[0]["reference_number"]
    assert authorizations.for_verification(only_new, seeded.verification_id)[0]["number"]
    assert sealed_result(only_new, seeded.verification_id) == result_before
    name, contact = callback_contact(only_new, seeded.callback_id) or (None, None)
    assert name == seeded.callback_name and contact is not None and contact.phone == seeded.phone
    code = pyotp.TOTP(seeded.staff_secret).now()
    assert accounts.authenticate(only_new, seeded.staff_email, seeded.staff_password, code)


def test_search_finds_re_indexed_rows_with_only_the_new_key(
    apps: AppMaker, rotated: Any, seeded: Seeded  # noqa: F811 - fixture
) -> None:
    runtime = rotated.extensions["verifier"]
    rekey(runtime.db, runtime.keyring)
    only_new = apps(NEW).extensions["verifier"]
    member = seeded.member
    for q in (member.member_id, member.last_name, member.first_name, "07/21/1969"):
        rows, _ = work.search(only_new, work.SearchQuery(q=q))
        assert [row["id"] for row in rows] == [seeded.verification_id], q
        assert rows[0]["member_id"] == member.member_id


def test_a_second_run_has_nothing_to_do(rotated: Any, seeded: Seeded) -> None:
    runtime = rotated.extensions["verifier"]
    rekey(runtime.db, runtime.keyring)
    again = rekey(runtime.db, runtime.keyring)
    assert again.resealed == 0 and again.unreadable == []


def test_an_interrupted_run_resumes_where_it_stopped(apps: AppMaker) -> None:  # noqa: F811 - fixture
    old = apps(OLD).extensions["verifier"]
    ids = sorted(submit(old)[0] for _ in range(5))
    runtime = apps(ROTATED).extensions["verifier"]
    total = outside_primary(runtime)  # 5 members and 5 contacts

    first = rekey(runtime.db, runtime.keyring, batch_size=1, limit=3)

    assert first.stopped_at_limit and first.resealed == 3
    assert outside_primary(runtime) == total - 3
    with runtime.db.session() as session:
        moved = session.execute(
            select(Verification.id).where(Verification.member_enc.like("v1.new.%"))
        ).scalars()
        assert sorted(moved) == ids[:3]  # in key order: the next run starts after them
    rest = rekey(runtime.db, runtime.keyring, batch_size=2)
    assert rest.resealed == total - 3 and not rest.stopped_at_limit
    assert outside_primary(runtime) == 0


@dataclasses.dataclass(frozen=True)
class CrashingKeyring(Keyring):
    """Dies (as a killed process would) when opening the value after the ``after``-th."""

    after: int = 0

    def decrypt(self, token: str, context: str) -> str:
        object.__setattr__(self, "after", self.after - 1)
        if self.after < 0:
            raise KeyboardInterrupt
        return super().decrypt(token, context)


def test_a_crash_loses_only_the_batch_in_flight(apps: AppMaker) -> None:  # noqa: F811 - fixture
    old = apps(OLD).extensions["verifier"]
    for _ in range(5):
        submit(old)
    runtime = apps(ROTATED).extensions["verifier"]
    crashing = CrashingKeyring(runtime.keyring.primary, runtime.keyring.keys, after=3)

    with pytest.raises(KeyboardInterrupt):
        rekey(runtime.db, crashing, batch_size=2)

    assert key_ids(runtime)["verifications.member_enc"] == {"new": 2, "old": 3}
    rekey(runtime.db, runtime.keyring)
    assert outside_primary(runtime) == 0


@dataclasses.dataclass(frozen=True)
class ConcurrentKeyring(Keyring):
    """While the rekey holds a value open, another writer replaces it (a re-run's result)."""

    db: Any = None

    def decrypt(self, token: str, context: str) -> str:
        plaintext = super().decrypt(token, context)
        if context.startswith("result:"):
            row_id = context.split(":", 1)[1]
            with self.db.engine.begin() as connection:
                connection.execute(
                    update(Verification)
                    .where(Verification.id == row_id)
                    .values(result_enc=seal(self, "result", row_id, '{"rerun": true}'))
                )
        return plaintext


def test_a_value_changed_meanwhile_is_not_overwritten_with_stale_data(apps: AppMaker) -> None:  # noqa: F811 - fixture
    old = apps(OLD).extensions["verifier"]
    verification_id, _, _ = submit(old, check=True)
    runtime = apps(ROTATED).extensions["verifier"]
    concurrent = ConcurrentKeyring(runtime.keyring.primary, runtime.keyring.keys, db=runtime.db)

    report = rekey(runtime.db, concurrent, batch_size=1)

    result = next(c for c in report.columns if c.column == "verifications.result_enc")
    assert (result.resealed, result.changed) == (0, 1)
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        assert row is not None and row.result_enc is not None
        assert unseal(runtime.keyring, "result", verification_id, row.result_enc) == (
            '{"rerun": true}'
        )


def test_a_value_that_does_not_open_is_reported_and_left_alone(
    rotated: Any, seeded: Seeded
) -> None:
    runtime = rotated.extensions["verifier"]
    with runtime.db.session() as session:
        row = session.get(Verification, seeded.verification_id)
        assert row is not None and row.contact_enc is not None
        tampered = row.contact_enc[:-4] + ("AAAA" if row.contact_enc[-4:] != "AAAA" else "BBBB")
        row.contact_enc = tampered
        attempt = session.execute(select(Attempt)).scalars().first()
        assert attempt is not None
        attempt.response_enc = unknown = "v1.gone.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        attempt_id = attempt.id
    total = outside_primary(runtime)

    report = rekey(runtime.db, runtime.keyring)

    assert {(u.column, u.row_id) for u in report.unreadable} == {
        ("verifications.contact_enc", seeded.verification_id),
        ("attempts.response_enc", str(attempt_id)),
    }
    assert report.resealed == total - 2  # every other sealed value moved on
    with runtime.db.session() as session:
        assert session.get(Verification, seeded.verification_id).contact_enc == tampered
        assert session.get(Attempt, attempt_id).response_enc == unknown
    counts = {c.column: c for c in count(runtime.db, runtime.keyring)}
    assert counts["verifications.contact_enc"].by_key["old"] == 1
    assert counts["attempts.response_enc"].other == 1
    assert outside_primary(runtime) == 2


def test_erased_values_are_neither_read_nor_counted(rotated: Any, seeded: Seeded) -> None:
    """The retention purge leaves '' (NOT NULL columns) and NULLs: nothing to re-seal."""
    runtime = rotated.extensions["verifier"]
    with runtime.db.session() as session:
        session.execute(
            update(Verification).values(
                member_enc="",
                contact_enc=None,
                result_enc=None,
                index_member_id=None,
                part2_consent_enc=None,
            )
        )
        session.execute(update(Disclosure).values(content_enc=""))
        session.execute(update(Attempt).values(request_enc=None, response_enc=None))
        session.execute(update(Note).values(text_enc=""))
        session.execute(delete(PhoneVob))  # the purge deletes phone VOBs and authorizations
        session.execute(delete(Authorization))
    report = rekey(runtime.db, runtime.keyring)
    assert report.unreadable == []
    # the staff TOTP secret, the call-back contact; a webhook's two secrets and two event
    # summaries (the check's completion, and the phone VOB's that completed it again)
    assert report.resealed == 6, [(c.column, c.resealed) for c in report.columns if c.resealed]
    with runtime.db.session() as session:
        row = session.get(Verification, seeded.verification_id)
        assert row is not None and row.member_enc == "" and row.index_member_id is None


def test_the_registry_covers_every_sealed_column_in_the_schema() -> None:
    from verifier.store.models import Base

    in_schema = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc")
    }
    assert {sealed.name for sealed in SEALED_COLUMNS} == in_schema


# --- the command -------------------------------------------------------------------------


def run(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["db", "rekey", *args])


def test_check_exits_1_before_and_0_after_the_rekey(rotated: Any, seeded: Seeded) -> None:
    before = run(rotated, "--check")
    assert before.exit_code == 1, before.output
    assert "keep the other keys" in before.output

    done = run(rotated)
    assert done.exit_code == 0, done.output
    assert "values still under other keys: 0" in done.output

    after = run(rotated, "--check")
    assert after.exit_code == 0, after.output
    assert "the other keys may be removed" in after.output


def test_the_command_resumes_after_a_limited_run(apps: AppMaker) -> None:  # noqa: F811 - fixture
    old = apps(OLD).extensions["verifier"]
    for _ in range(3):
        submit(old)
    app = apps(ROTATED)
    partial = run(app, "--batch-size", "1", "--limit", "4")
    assert partial.exit_code == 0, partial.output
    assert "stopped after --limit 4" in partial.output
    assert "values still under other keys: 2" in partial.output
    assert run(app, "--check").exit_code == 1
    assert run(app).exit_code == 0
    assert run(app, "--check").exit_code == 0


def test_the_command_prints_no_phi(rotated: Any, seeded: Seeded) -> None:
    runtime = rotated.extensions["verifier"]
    with runtime.db.session() as session:
        row = session.get(Verification, seeded.verification_id)
        assert row is not None
        row.result_enc = "v1.gone.AAAA"  # an unreadable value is reported too
    outputs = [run(rotated, "--check"), run(rotated), run(rotated, "--check")]
    text = "\n".join(result.output + (result.stderr or "") for result in outputs)
    assert f"unreadable: verifications.result_enc row {seeded.verification_id}" in text
    assert outputs[1].exit_code == 1
    for value in seeded.phi():
        assert value not in text and value.lower() not in text.lower()


def test_the_command_leaves_one_audit_row(rotated: Any, seeded: Seeded) -> None:
    runtime = rotated.extensions["verifier"]
    run(rotated, "--check")  # counting only: opens nothing, records nothing
    run(rotated)
    with runtime.db.session() as session:
        events = (
            session.execute(select(AuditEvent).where(AuditEvent.action == "rekey")).scalars().all()
        )
    assert [(e.actor, e.object_type, e.object_id, e.outcome) for e in events] == [
        ("system:rekey", "data_key", "new", "ok")
    ]
    assert audit.verify(runtime.db, runtime.audit_keys).broken_at is None


def test_the_audit_row_says_partial_when_values_remain(apps: AppMaker) -> None:  # noqa: F811 - fixture
    old = apps(OLD).extensions["verifier"]
    submit(old)
    app = apps(ROTATED)
    run(app, "--limit", "1")
    with app.extensions["verifier"].db.session() as session:
        outcomes = (
            session.execute(select(AuditEvent.outcome).where(AuditEvent.action == "rekey"))
            .scalars()
            .all()
        )
    assert outcomes == ["partial"]

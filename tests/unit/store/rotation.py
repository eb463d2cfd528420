"""Shared by the key-rotation tests: a private database, key specs, seeded PHI.

Rotation tests re-seal a whole database and write values under keys the rest of the
suite does not hold, so each gets its own freshly migrated database (SQLite file or
PostgreSQL database) instead of the session-wide one other tests share.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.conftest import migrated_database
from verifier.domain import Condition, LevelOfCare, Relationship
from verifier.part2.consent import VERSION, Part2Consent
from verifier.staff import accounts, work
from verifier.store.crypto import generate_key_spec
from verifier.store.records import ContactRecord, MemberRecord
from verifier.verifications import intake
from verifier.verifications.callbacks import request_callback
from verifier.verifications.check import run_check
from verifier.verifications.intake import Submission
from verifier.webhooks import endpoints as webhook_endpoints

OLD = generate_key_spec("old")
NEW = generate_key_spec("new")


def letters(n: int = 10) -> str:
    """A name no other row uses (upper-case letters only, as names are normalized)."""
    return "".join(chr(ord("A") + int(ch, 16)) for ch in uuid.uuid4().hex[:n])


AppMaker = Callable[[str], Any]


def app_maker(
    make_app: Callable[[Settings], Any], service_env: dict[str, str], url: str
) -> AppMaker:
    """Apps on ``url`` whose VERIFIER_DATA_KEY is the given spec (queues no worker serves)."""
    prefix = f"rot{uuid.uuid4().hex[:8]}"

    def build(data_key: str) -> Any:
        env = service_env | {
            "DATABASE_URL": url,
            "VERIFIER_DATA_KEY": data_key,
            "VERIFIER_QUEUE_PREFIX": prefix,
        }
        return make_app(Settings.from_env(env))

    return build


@pytest.fixture
def apps(
    database_url: str, tmp_path: Path, make_app: Any, service_env: dict[str, str]
) -> Iterator[AppMaker]:
    """Apps on a freshly migrated database of the test's own (same backend as the suite's)."""
    with migrated_database(database_url, tmp_path) as url:
        yield app_maker(make_app, service_env, url)


@dataclass(frozen=True)
class Seeded:
    """One verification with every kind of sealed value, and the PHI it holds."""

    verification_id: str
    member: MemberRecord
    phone: str
    note_text: str
    staff_email: str
    staff_password: str
    staff_secret: str
    callback_id: str
    callback_name: str

    def phi(self) -> list[str]:
        """Strings that must never appear in an operator's output."""
        return [
            self.member.first_name,
            self.member.last_name,
            self.member.member_id,
            self.member.date_of_birth.isoformat(),
            self.phone,
            self.note_text,
            self.callback_name,
            self.staff_secret,
        ]


def submit(
    runtime: Any, *, check: bool = False, part2: bool = False
) -> tuple[str, MemberRecord, str]:
    """A verification through the real write path; ``check``: run it (result, attempts).

    ``part2``: a substance-use program's, with its consent (and, checked, its ledger)."""
    member = MemberRecord(
        first_name="ILSE" + letters(6),
        last_name="ROTMENSEN" + letters(),
        date_of_birth=dt.date(1971, 3, 9) if part2 else dt.date(1969, 7, 21),
        member_id="SBX-ACTIVE-" + letters(),
        group_number="GRP-9",
        relationship=Relationship.SELF,
    )
    phone = f"555-{uuid.uuid4().int % 900 + 100}-{uuid.uuid4().int % 9000 + 1000}"
    submitted = intake.submit(
        runtime,
        Submission(
            member=member,
            payer_id="SANDBOX",
            level_of_care=LevelOfCare.IOP,
            condition=Condition.SUBSTANCE_USE if part2 else Condition.MENTAL_HEALTH,
            service_date=dt.date.today() + dt.timedelta(days=7),
            contact=ContactRecord(phone=phone, callback_requested=True),
            part2_consent=Part2Consent(VERSION, "Ilse Rotmensen") if part2 else None,
        ),
        source="staff",
        enqueue=False,
    )
    if check:
        run_check(runtime, submitted.id)
    return submitted.id, member, phone


def seed_everything(runtime: Any) -> Seeded:
    """Every sealed column written by the code that writes it in production."""
    # A webhook endpoint sent summaries, its secret rotated: all three webhook columns.
    hook = webhook_endpoints.add(
        runtime,
        "https://crm.example.org/hooks",
        ["verification.completed"],
        created_by="rotation-test",
        include_summary=True,
    )
    webhook_endpoints.rotate_secret(runtime, hook.endpoint["id"])
    verification_id, member, phone = submit(runtime, check=True)
    submit(runtime, check=True, part2=True)  # the Part 2 consent and disclosure ledger
    created = accounts.create_user(runtime, f"coord-{letters(6).lower()}@center.example", "admin")
    note_text = "Mother called back; prefers mornings " + letters(8)
    work.add_note(runtime, created.staff, verification_id, note_text)
    callback_name = "Wendeline" + letters(8)
    callback_id = request_callback(
        runtime, ContactRecord(phone=phone, callback_requested=True), name=callback_name
    )
    seed_console_records(runtime, created.staff, verification_id)
    return Seeded(
        verification_id=verification_id,
        member=member,
        phone=phone,
        note_text=note_text,
        staff_email=created.staff.email,
        staff_password=created.password,
        staff_secret=created.totp_secret,
        callback_id=callback_id,
        callback_name=callback_name,
    )


def seed_console_records(runtime: Any, staff: Any, verification_id: str) -> None:
    """A phone VOB and an authorization (issue 16), through their use cases."""
    import datetime as dt

    from verifier.domain import LevelOfCare
    from verifier.staff import authorizations, phone_vob

    call = phone_vob.PhoneCall("Dana " + letters(4), "REF-" + letters(6), dt.datetime.now(dt.UTC))
    entry = phone_vob.PhoneVobEntry(call, LevelOfCare.IOP, {"coverage_status": "active"})
    phone_vob.record(runtime, staff, verification_id, entry)
    authorizations.add(
        runtime,
        staff,
        verification_id,
        {"level_of_care": LevelOfCare.IOP, "status": "requested", "number": "A-" + letters(6)},
    )

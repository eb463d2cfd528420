"""A consent the patient signed on paper, recorded by staff, lets a staff or batch row's
270 go; until then, and for anything refused, nothing leaves."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from verifier.part2 import ledger
from verifier.part2.signed import ConsentNotRecorded, record_signed
from verifier.runtime import Runtime
from verifier.staff import work
from verifier.store.models import Verification
from verifier.store.records import unseal
from verifier.verifications.check import run_check
from verifier.verifications.intake import submit
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.schemas import SubmitSchema, submission_from

STAFF = "coordinator@example.org"


def staff_part2_row(runtime: Runtime) -> str:
    """A coordinator's Part 2 verification, stored without a consent, its check refused."""
    member = "SBX-ACTIVE-" + uuid.uuid4().hex[:8].upper()
    body = {
        "member": {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "1990-01-02",
                   "member_id": member},
        "payer_id": "SANDBOX", "condition": "substance_use", "consent": True,
    }
    submitted = submit(
        runtime, submission_from(SubmitSchema().load(body)), source="staff", enqueue=False
    )
    assert run_check(runtime, submitted.id) == "failed"
    return submitted.id


def record(runtime: Runtime, vid: str, **changes: object) -> None:
    options: dict[str, object] = {
        "signature": "Ana Ruiz", "signed_on": dt.date.today(), "staff_email": STAFF,
        "now": utcnow(),
    }
    options.update(changes)
    record_signed(runtime, vid, **options)  # type: ignore[arg-type]


def test_a_recorded_paper_consent_lets_the_rerun_send_its_270_and_ledger_it(
    part2_runtime: Runtime,
) -> None:
    vid = staff_part2_row(part2_runtime)
    record(part2_runtime, vid)
    work.rerun(part2_runtime, vid, None)
    assert run_check(part2_runtime, vid) == "completed"
    (entry,) = ledger.for_verification(part2_runtime, vid)
    assert (entry.kind, entry.recipient_id, entry.outcome) == ("eligibility", "SANDBOX", "answered")


def test_the_paper_consent_is_sealed_with_who_recorded_it_and_runs_from_the_day_signed(
    part2_runtime: Runtime,
) -> None:
    vid = staff_part2_row(part2_runtime)
    signed = dt.date.today() - dt.timedelta(days=10)
    record(part2_runtime, vid, signed_on=signed)
    with part2_runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        assert row.part2_consent_enc is not None
        sealed = json.loads(
            unseal(part2_runtime.keyring, "part2.consent", vid, row.part2_consent_enc)
        )
        assert "Ana Ruiz" not in row.part2_consent_enc
        expires = row.part2_expires_at
    assert (sealed["medium"], sealed["recorded_by"], sealed["signature"]) == (
        "paper", STAFF, "Ana Ruiz"
    )
    assert sealed["patient"] == "Ana Ruiz" and sealed["text"]
    days = part2_runtime.facility.part2_consent_days
    assert expires is not None and expires.date() == signed + dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"signature": "  "}, "signature"),
        ({"signed_on": None}, "signed_on"),
        ({"signed_on": dt.date.today() + dt.timedelta(days=1)}, "signed_on"),
        ({"signed_on": dt.date.today() - dt.timedelta(days=400)}, "signed_on"),
    ],
)
def test_a_consent_that_cannot_hold_is_refused_naming_the_field(
    part2_runtime: Runtime, changes: dict[str, object], field: str
) -> None:
    vid = staff_part2_row(part2_runtime)
    with pytest.raises(ConsentNotRecorded) as refused:
        record(part2_runtime, vid, **changes)
    assert refused.value.field == field
    with part2_runtime.db.session() as session:
        assert session.get_one(Verification, vid).part2_consent_enc is None


def test_a_second_consent_and_a_revoked_persons_are_refused(part2_runtime: Runtime) -> None:
    vid = staff_part2_row(part2_runtime)
    record(part2_runtime, vid)
    with pytest.raises(ConsentNotRecorded, match="already on file"):
        record(part2_runtime, vid, signature="Someone Else")
    other = staff_part2_row(part2_runtime)
    with part2_runtime.db.session() as session:
        session.get_one(Verification, other).part2_revoked_at = utcnow()
    with pytest.raises(ConsentNotRecorded, match="revoked"):
        record(part2_runtime, other)


def test_a_program_that_is_not_part2_takes_no_paper_consent(part2_runtime: Runtime) -> None:
    body = {
        "member": {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "1990-01-02",
                   "member_id": "SBX-ACTIVE-MH1"},
        "payer_id": "SANDBOX", "condition": "mental_health", "consent": True,
    }
    vid = submit(part2_runtime, submission_from(SubmitSchema().load(body)), source="staff",
                 enqueue=False).id
    with pytest.raises(ConsentNotRecorded, match="not for a 42 CFR Part 2"):
        record(part2_runtime, vid)

"""No 270 leaves a Part 2 program without the written consent; each one sent is recorded."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from tests.unit.part2.conftest import part2_form, verification_id_of
from tests.unit.web.conftest import error_text, valid_form
from verifier.part2 import ledger
from verifier.part2.consent import ELEMENTS, VERSION
from verifier.part2.revoke import revoke
from verifier.runtime import Runtime
from verifier.store.models import Attempt, Disclosure, Verification
from verifier.store.records import unseal
from verifier.verifications import maintenance
from verifier.verifications.check import run_check
from verifier.verifications.intake import submit
from verifier.verifications.lifecycle import utcnow

SECTIONS = {f"§2.31(a)({n})" for n in range(1, 12)} | {"§2.31(a)(4)(i)", "§2.31(a)(4)(iii)"}


def _count(runtime: Runtime, model: Any, verification_id: str) -> int:
    with runtime.db.session() as session:
        return int(
            session.execute(
                select(func.count()).select_from(model).where(
                    model.verification_id == verification_id
                )
            ).scalar_one()
        )


def stored_for(runtime: Runtime, member_id: str) -> int:
    """Verifications stored for this member id (other tests' rows run meanwhile)."""
    index = runtime.keyring.blind_index(member_id, "member_id")
    with runtime.db.session() as session:
        return int(
            session.execute(
                select(func.count()).select_from(Verification).where(
                    Verification.index_member_id == index
                )
            ).scalar_one()
        )


def test_the_consent_has_every_element_section_2_31_a_asks_for() -> None:
    cited = {element.paragraph for element in ELEMENTS}
    assert cited == SECTIONS - {"§2.31(a)(4)"}
    assert all(set(element.text) == {"en", "es"} for element in ELEMENTS)


def test_an_unsigned_part2_form_is_refused_in_the_visitors_language(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    response = post_form(part2_form("SBX-ACTIVE-7001", signed=False), "es")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_text(html, "part2_consent.signature") == "Por favor complete este campo."
    assert "Marque la casilla" in error_text(html, "part2_consent.agreed")
    assert stored_for(part2_runtime, "SBX-ACTIVE-7001") == 0  # nothing stored, nothing sent


def test_the_api_refuses_a_part2_program_without_the_consent_naming_the_field(
    part2_app: Any,
) -> None:
    body = {
        "member": {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "1990-01-02",
                   "member_id": "SBX-ACTIVE-7009"},
        "payer_id": "SANDBOX", "condition": "substance_use", "consent": True,
    }
    response = part2_app.test_client().post("/api/v1/verifications", json=body)
    assert response.status_code == 422
    assert "written consent" in response.get_json()["errors"]["part2_consent.signature"][0]


def test_a_stale_consent_version_is_refused(post_form: Callable[..., Any]) -> None:
    form = part2_form("SBX-ACTIVE-7002") | {"part2_consent.version": "part2-2020-01-01.0"}
    response = post_form(form)
    assert response.status_code == 422
    assert "consent text changed" in error_text(
        response.get_data(as_text=True), "part2_consent.agreed"
    )


def test_a_mental_health_check_keeps_todays_consent_and_no_ledger(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    vid = verification_id_of(post_form(valid_form("SBX-ACTIVE-7003")))
    assert run_check(part2_runtime, vid) == "completed"
    assert _count(part2_runtime, Disclosure, vid) == 0
    with part2_runtime.db.session() as session:
        assert session.get_one(Verification, vid).part2 is False


def test_the_signed_consent_is_sealed_with_the_verification(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    vid = verification_id_of(post_form(part2_form("SBX-ACTIVE-7004"), "es"))
    with part2_runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        assert "José" not in (row.part2_consent_enc or "")
        record = json.loads(
            unseal(part2_runtime.keyring, "part2.consent", vid, row.part2_consent_enc or "")
        )
    assert (row.part2, row.part2_consent_version) == (True, VERSION)
    assert record["signature"] == "José Peña" and record["language"] == "es"
    assert record["recipients"][0] == "Sandbox Health Plan"
    assert [item["paragraph"] for item in record["text"]] == [e.paragraph for e in ELEMENTS]
    assert "Sandbox Health Plan" in record["text"][3]["text"]


def test_a_staff_part2_row_without_consent_sends_no_270(
    part2_runtime: Runtime,
) -> None:
    from verifier.verifications.schemas import SubmitSchema, submission_from

    body = {
        "member": {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "1990-01-02",
                   "member_id": "SBX-ACTIVE-7005"},
        "payer_id": "SANDBOX", "condition": "substance_use", "consent": True,
    }
    submitted = submit(
        part2_runtime, submission_from(SubmitSchema().load(body)), source="staff", enqueue=False
    )
    assert run_check(part2_runtime, submitted.id) == "failed"
    with part2_runtime.db.session() as session:
        row = session.get_one(Verification, submitted.id)
        attempt = session.execute(
            select(Attempt).where(Attempt.verification_id == submitted.id)
        ).scalar_one()
    assert (row.reason, attempt.outcome, attempt.request_enc) == (
        "consent_required", "refused", None
    )
    assert _count(part2_runtime, Disclosure, submitted.id) == 0


def test_a_carve_out_check_records_both_disclosures(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    vid = verification_id_of(post_form(part2_form("SBX-CARVEOUT-7006")))
    run_check(part2_runtime, vid)
    entries = ledger.for_verification(part2_runtime, vid)
    assert [(e.kind, e.recipient_id, e.outcome) for e in entries] == [
        ("eligibility", "SANDBOX", "answered"),
        ("carve_out", "SANDBOX-BH", "answered"),
    ]
    assert entries[0].items[:3] == ["name", "date_of_birth", "member_id"]
    assert entries[0].sent["patient"] == "ZELPHA QUINTAVIUS"
    assert entries[0].consent_version == VERSION
    with part2_runtime.db.session() as session:
        sealed = session.execute(select(Disclosure.content_enc)).scalars().all()
    assert not any("ZELPHA" in value for value in sealed)
    csv_text = ledger.export_csv(ledger.for_person(part2_runtime, vid))
    assert csv_text.count("\n") == 3 and "Sandbox Behavioral Health" in csv_text


def test_revoking_stops_the_scheduled_recheck_and_any_further_270(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    admission = dt.date.today() + dt.timedelta(days=4)
    vid = verification_id_of(post_form(part2_form("SBX-ACTIVE-7007")))
    other = verification_id_of(post_form(part2_form("SBX-ACTIVE-7017")))  # someone else
    for each in (vid, other):
        with part2_runtime.db.session() as session:
            session.get_one(Verification, each).service_date = admission
        assert run_check(part2_runtime, each) == "completed"
    later = utcnow() + dt.timedelta(hours=73)
    done = revoke(part2_runtime, vid, "coordinator@example.org", utcnow())
    assert done.verifications == 1
    assert maintenance.reverify_upcoming(part2_runtime, now=later) >= 1  # the other, at least
    with part2_runtime.db.session() as session:
        assert session.get_one(Verification, vid).rechecked_at is None
        assert session.get_one(Verification, other).rechecked_at is not None
    # Even a check that was already on its way stops at the gate.
    with part2_runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        row.status, row.lease_expires_at = "queued", None
    assert run_check(part2_runtime, vid) == "failed"
    assert _count(part2_runtime, Disclosure, vid) == 1
    with part2_runtime.db.session() as session:
        assert session.get_one(Verification, vid).reason == "consent_revoked"


def test_an_expired_consent_is_not_rechecked(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    vid = verification_id_of(post_form(part2_form("SBX-ACTIVE-7008")))
    assert run_check(part2_runtime, vid) == "completed"
    with part2_runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        row.service_date = dt.date.today() + dt.timedelta(days=1)
        row.part2_expires_at = utcnow() + dt.timedelta(hours=1)
    later = utcnow() + dt.timedelta(hours=73)
    maintenance.reverify_upcoming(part2_runtime, now=later)
    with part2_runtime.db.session() as session:
        assert session.get_one(Verification, vid).rechecked_at is None

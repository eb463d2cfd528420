"""FHIR out: the export is valid R4, and our own FHIR adapter reads it back to the same summary.

Verifications are real: submitted and checked in-process on the sandbox payer. The
export is read back with ``verifier.payers.fhir.to_result`` and summarized as a check
would; the facts a coordinator reads (coverage, tiers, preauthorization, visits) match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fhir.resources.R4B.coverageeligibilityresponse import CoverageEligibilityResponse
from sqlalchemy import select

from config.settings import Settings
from tests.unit.staff.conftest import make_account
from tests.unit.webhooks.conftest import submit
from verifier.coverage.model import CoverageSummary
from verifier.coverage.stored import stored_summary
from verifier.coverage.summary import summarize
from verifier.domain import Condition, EligibilityRequest, LevelOfCare, Person, Provider
from verifier.exports.verification import fhir_export
from verifier.payers.fhir import to_result
from verifier.runtime import Runtime
from verifier.staff import accounts
from verifier.store.models import AuditEvent, Verification
from verifier.store.records import MemberRecord, unseal
from verifier.verifications import changes
from verifier.verifications.check import run_check

SCENARIOS = ("SBX-ACTIVE-1", "SBX-OON-1", "SBX-INACTIVE-1", "SBX-PREAUTH-1", "SBX-EXHAUSTED-1")


@pytest.fixture
def checked_runtime(
    make_app: Callable[[Settings], Any], inline_settings: Settings
) -> Iterator[Runtime]:
    yield make_app(inline_settings).extensions["verifier"]


def stored(runtime: Runtime, vid: str) -> CoverageSummary:
    with runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        summary = stored_summary(row.summary)
    assert summary is not None
    return summary


def read_back(runtime: Runtime, vid: str, resource: dict[str, Any]) -> CoverageSummary:
    """What our FHIR adapter's mapping makes of the export, summarized like a check."""
    with runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        level, condition, payer_id = row.level_of_care, row.condition, row.payer_id
    member = MemberRecord.from_json(unseal(runtime.keyring, "member", vid, row.member_enc))
    entry = runtime.directory.get(payer_id)
    assert entry is not None
    person = Person(member.first_name, member.last_name, member.date_of_birth, member.member_id)
    request = EligibilityRequest(
        payer_id=entry.id,
        payer_name=entry.name,
        provider=Provider(npi=runtime.facility.npi, organization_name=runtime.facility.name),
        subscriber=person,
        dependent=None,
        relationship=member.relationship,
        service_date=row.service_date,
        trace_number="export-read-back",
    )
    return summarize(
        to_result(resource, request),
        level=LevelOfCare(level),
        condition=Condition(condition),
        facility=runtime.facility,
        in_network=entry.in_network,
        payer_name=entry.name,
    )


def facts(summary: CoverageSummary) -> dict[str, Any]:
    data = summary.to_dict()
    return {
        "coverage": (data["coverage"]["status"], data["coverage"]["plan_name"]),
        "network": data["network"]["status"],
        "preauthorization": data["preauthorization"]["required"],
        "benefits": data["benefits"],
        "visits": (data["visit_limit"]["allowed"], data["visit_limit"]["remaining"]),
    }


@pytest.mark.parametrize("member_id", SCENARIOS)
def test_the_export_reads_back_through_our_fhir_adapter_to_the_same_summary(
    checked_runtime: Runtime, member_id: str
) -> None:
    vid = submit(checked_runtime, member_id)
    run_check(checked_runtime, vid)
    original = stored(checked_runtime, vid)

    resource = fhir_export(checked_runtime, vid)
    back = read_back(checked_runtime, vid, resource)

    assert facts(back) == facts(original)
    assert changes.diff(original, back) == []


def test_the_export_is_a_valid_r4_response_with_its_parties_contained(
    checked_runtime: Runtime,
) -> None:
    vid = submit(checked_runtime, "SBX-ACTIVE-1")
    run_check(checked_runtime, vid)
    resource = fhir_export(checked_runtime, vid)
    CoverageEligibilityResponse.model_validate(resource)
    kinds = sorted(c["resourceType"] for c in resource["contained"])
    assert kinds == ["Coverage", "Organization", "Organization", "Patient"]
    patient = next(c for c in resource["contained"] if c["resourceType"] == "Patient")
    assert patient["name"][0]["family"].casefold() == "quintavius"
    assert resource["outcome"] == "complete"
    items = resource["insurance"][0]["item"]
    assert {i["network"]["coding"][0]["code"] for i in items if "network" in i} == {"in", "out"}
    money = [b for i in items for b in i.get("benefit", []) if "allowedMoney" in b]
    assert money and all(b["allowedMoney"]["currency"] == "USD" for b in money)


def test_a_failed_verification_exports_its_error_without_benefits(
    checked_runtime: Runtime,
) -> None:
    vid = submit(checked_runtime, "SBX-NOTFOUND-1")
    assert run_check(checked_runtime, vid) == "failed"
    resource = fhir_export(checked_runtime, vid)
    CoverageEligibilityResponse.model_validate(resource)
    assert resource["outcome"] == "error"
    assert "insurance" not in resource


def test_staff_get_it_from_the_api_and_the_read_is_audited(
    checked_runtime: Runtime, make_app: Callable[[Settings], Any], inline_settings: Settings
) -> None:
    app = make_app(inline_settings)
    runtime: Runtime = app.extensions["verifier"]
    vid = submit(runtime, "SBX-ACTIVE-1")
    run_check(runtime, vid)
    coordinator = make_account(runtime, "coordinator")
    token = accounts.issue_token(runtime, coordinator.email)[1]
    client = app.test_client()

    response = client.get(
        f"/api/v1/verifications/{vid}/fhir", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    CoverageEligibilityResponse.model_validate(response.get_json())
    with runtime.db.session() as session:
        audited = session.execute(
            select(AuditEvent.action, AuditEvent.object_type, AuditEvent.actor).where(
                AuditEvent.object_id == vid, AuditEvent.object_type == "verification_fhir"
            )
        ).all()
    assert audited == [("view", "verification_fhir", coordinator.email)]
    assert client.get(f"/api/v1/verifications/{vid}/fhir").status_code == 401
    missing = client.get(
        f"/api/v1/verifications/{'0' * 32}/fhir", headers={"Authorization": f"Bearer {token}"}
    )
    assert missing.status_code == 404

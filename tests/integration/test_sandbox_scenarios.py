"""Every sandbox scenario end to end: real HTTP → database → Redis → forking RQ worker → back.

The app runs behind a real HTTP server on loopback; the worker is a separate `rq worker`
process with its scheduler (for retries), on the same database and Redis.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import LiveServer, WorkerProcess
from tests.fakes.submissions import valid_body
from tests.fakes.visitor import poll
from verifier.store.models import Verification


def submit(
    server: LiveServer, http: requests.Session, member_id: str, **changes: Any
) -> dict[str, Any]:
    body = valid_body()
    body["member"]["member_id"] = member_id
    body.update(changes)
    response = http.post(f"{server.url}/api/v1/verifications", json=body, timeout=5)
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture
def check(live_server: LiveServer, http: requests.Session, worker: WorkerProcess) -> Any:
    def run(member_id: str, timeout: float = 30, **changes: Any) -> dict[str, Any]:
        submitted = submit(live_server, http, member_id, **changes)
        try:
            return poll(live_server, http, submitted, timeout)
        except AssertionError:
            print(worker.logs()[-4000:])  # shown by pytest on failure: ids and codes only
            raise

    return run


def test_active_coverage_completes_with_a_summary(check: Any) -> None:
    result = check("SBX-ACTIVE-1")
    assert result["status"] == "completed"
    summary = result["summary"]
    assert summary["coverage"]["status"] == "active"
    assert summary["network"]["status"] == "in_network"
    assert summary["plain_text"]
    assert summary["visit_limit"]["remaining"] == 18


def test_out_of_network_only_says_so(check: Any) -> None:
    result = check("SBX-OON-1", payer_id="SANDBOX-OON")
    assert result["status"] in {"completed", "needs_review"}
    assert result["summary"]["network"]["status"] == "out_of_network"


def test_inactive_coverage_completes_as_inactive(check: Any) -> None:
    result = check("SBX-INACTIVE-1")
    assert result["status"] == "completed"
    assert result["summary"]["coverage"]["status"] == "inactive"


def test_member_not_found_fails_with_that_reason(check: Any) -> None:
    result = check("SBX-NOTFOUND-1")
    assert result["status"] == "failed"
    assert result["reason"] == "member_not_found"
    assert result["summary"]["plain_text"]


def test_payer_unavailable_once_is_retried_then_completes(check: Any) -> None:
    result = check("SBX-FLAKY-1", timeout=45)
    assert result["status"] == "completed"
    assert result["summary"]["coverage"]["status"] == "active"


def test_preauthorization_required_is_reported(check: Any) -> None:
    result = check("SBX-PREAUTH-1")
    assert result["status"] == "completed"
    assert result["summary"]["preauthorization"]["required"] is True


def test_exhausted_visits_show_none_remaining(check: Any) -> None:
    result = check("SBX-EXHAUSTED-1")
    assert result["summary"]["visit_limit"]["remaining"] == 0


def test_a_plan_priced_by_place_of_service_keeps_each_place(check: Any, runtime: Any) -> None:
    result = check("SBX-PLACES-1")
    assert result["status"] == "completed"
    with runtime.db.session() as db:
        row = db.get(Verification, result["id"])
        assert row is not None
        stored = row.summary
    places = {(p["place"], p["tier"]): p for p in stored["place_of_service"]}
    assert places[("22", "in_network")]["copay"] == {"amount": "50.00", "per": "visit"}
    assert places[("11", "in_network")]["copay"]["amount"] == "30.00"
    assert places[("02", "in_network")]["copay"]["amount"] == "0.00"
    assert places[("22", "out_of_network")]["coinsurance"] == "0.40"
    assert stored["eligibility"]["begin"].endswith("-03-01")
    assert stored["coverage"]["plan_begin"].endswith("-01-01")


def test_a_carve_out_is_checked_again_with_the_administrator(check: Any, runtime: Any) -> None:
    result = check("SBX-CARVEOUT-1")
    assert result["status"] == "completed"
    assert result["summary"]["coverage"]["status"] == "active"
    assert result["summary"]["visit_limit"]["remaining"] == 18
    with runtime.db.session() as session:
        row = session.get_one(Verification, result["id"])
        assert row.summary is not None
        assert row.summary["administrator"]["payer_id"] == "SANDBOX-BH"
        assert row.summary["carve_out"]["payer_id"] == "SANDBOX-BH"
        payers = [attempt.payer_id for attempt in row.attempts]
    assert sorted(payers) == ["SANDBOX", "SANDBOX-BH"]


def test_a_slow_payer_still_completes(check: Any) -> None:
    result = check("SBX-SLOW-1", timeout=45)
    assert result["status"] == "completed"


def test_a_garbage_answer_fails_with_a_stated_reason(check: Any) -> None:
    result = check("SBX-GARBAGE-1")
    assert result["status"] == "failed"
    assert result["reason"] == "payer_response_invalid"


def test_any_other_member_gets_a_plausible_active_plan(check: Any) -> None:
    result = check("W123456789")
    assert result["status"] == "completed"
    assert result["summary"]["coverage"]["status"] == "active"


def test_a_dependent_is_checked_under_the_policyholder(check: Any) -> None:
    body = valid_body()
    member = body["member"] | {
        "member_id": "SBX-ACTIVE-2",
        "relationship": "child",
        "subscriber": {
            "first_name": "Pat",
            "last_name": "Quintavius",
            "date_of_birth": "1961-03-04",
        },
    }
    result = check("SBX-ACTIVE-2", member=member)
    assert result["status"] == "completed"
    assert result["summary"]["coverage"]["status"] == "active"

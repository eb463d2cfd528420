"""What a check stores is exactly ``CoverageSummary.to_dict()``: one shape, held here.

Real checks against the sandbox payer (a real 270 → 271 exchange), stored in SQLite and
PostgreSQL, read back through ``summary_from_dict`` and written out again unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.fakes.submissions import URL, valid_body
from verifier.coverage.stored import summary_from_dict
from verifier.store.models import Attempt, Verification
from verifier.verifications.check import run_check


@pytest.fixture
def settings(inline_settings: Any) -> Any:
    """Checks run in this process; no session worker may take the jobs."""
    return inline_settings


def _checked(client: Any, runtime: Any, member_id: str) -> tuple[dict[str, Any], list[Any]]:
    body = valid_body()
    body["member"]["member_id"] = member_id
    verification_id = client.post(URL, json=body).get_json()["id"]
    run_check(runtime, verification_id)
    with runtime.db.session() as session:
        stored = session.get(Verification, verification_id).summary
        attempts = session.execute(
            select(Attempt.summary).where(Attempt.verification_id == verification_id)
        ).scalars().all()
    return stored, list(attempts)


@pytest.mark.parametrize("member_id", ["SBX-ACTIVE-7", "SBX-PREAUTH-7", "SBX-INACTIVE-7"])
def test_a_stored_answer_is_a_coverage_summary_to_the_letter(
    client: Any, runtime: Any, member_id: str
) -> None:
    stored, attempts = _checked(client, runtime, member_id)
    assert summary_from_dict(stored).to_dict() == stored
    assert attempts == [stored]  # the attempt keeps the same answer


def test_a_carve_out_stores_both_answers_in_one_summary(client: Any, runtime: Any) -> None:
    stored, _ = _checked(client, runtime, "SBX-CARVEOUT-7")
    summary = summary_from_dict(stored)
    assert summary.administrator is not None and summary.carve_out is not None
    assert summary.carve_out.summary is not None
    assert summary.to_dict() == stored

"""A visitor's submit body as the API takes it (docs/design.md §5), for every test that submits.

The member is the sandbox's SBX-ACTIVE scenario (README "Sandbox payer scenarios"); tests
change one field with ``with_change`` so each shows the input it is about.

Reproduces no published reference: the body is our own contract (docs/design.md §5),
not a vendor's.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from verifier.runtime import Runtime
from verifier.verifications import intake
from verifier.verifications.schemas import SubmitSchema, submission_from

URL = "/api/v1/verifications"


def valid_body() -> dict[str, Any]:
    return {
        "member": {
            "first_name": "Zelpha",
            "last_name": "Quintavius",
            "date_of_birth": "1988-04-12",
            "member_id": "SBX-ACTIVE-1001",
            "group_number": "GRP-77",
            "relationship": "self",
        },
        "payer_id": "SANDBOX",
        "level_of_care": "iop",
        "condition": "mental_health",
        "contact": {"phone": "555-201-3344", "callback_requested": True},
        "consent": True,
    }


def submit_member(
    runtime: Runtime,
    member_id: str,
    payer_id: str = "SANDBOX",
    service_date: dt.date | None = None,
    source: str = "visitor",
) -> str:
    """Store a verification for ``member_id`` as intake does (and queue it); its id."""
    body = valid_body()
    body["member"]["member_id"] = member_id
    body["payer_id"] = payer_id
    if service_date is not None:
        body["service_date"] = service_date.isoformat()
    data = SubmitSchema().load(body)
    return intake.submit(runtime, submission_from(data), source=source).id


def body_for(member_id: str, **changes: Any) -> dict[str, Any]:
    """valid_body() for ``member_id``, top-level fields changed (a batch row, a submit)."""
    body = copy.deepcopy(valid_body())
    body["member"]["member_id"] = member_id
    body.update(changes)
    return body

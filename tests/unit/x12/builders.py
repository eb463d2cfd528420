"""Small factories for requests, envelopes and results used across the X12 tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from verifier.domain import EligibilityRequest, Person, Provider, Relationship
from verifier.x12.encoder import Envelope


def envelope(**changes: Any) -> Envelope:
    base = Envelope(
        sender_id="VERIFIER",
        receiver_id="MOCKPAYER",
        interchange_control_number=17,
        group_control_number=23,
        transaction_control_number=31,
        created_at=dt.datetime(2026, 3, 2, 9, 45),
        usage_indicator="T",
    )
    return replace(base, **changes)


def request(**changes: Any) -> EligibilityRequest:
    base = EligibilityRequest(
        payer_id="MOCKPAYER",
        payer_name="MOCK PAYER INC",
        provider=Provider(npi="1234567893", organization_name="HOPE RECOVERY CENTER"),
        subscriber=Person(
            first_name="JOHN", last_name="DOE", date_of_birth=dt.date(1970, 1, 1),
            member_id="ABC123456", gender="M",
        ),
        service_date=dt.date(2026, 3, 2),
        trace_number="VER-0001-1",
        service_types=("30", "MH", "A8"),
        group_number="GRP-77",
    )
    return replace(base, **changes)


def dependent_request(**changes: Any) -> EligibilityRequest:
    child = Person(first_name="JANE", last_name="DOE", date_of_birth=dt.date(2010, 6, 15),
                   gender="F")
    return request(**{"dependent": child, "relationship": Relationship.CHILD, **changes})

"""Small builders shared by the adapter tests: a request, a directory entry, settings.

Reproduces no published reference: these build our own inputs (an EligibilityRequest, a
PayerEntry, Settings). The payer and clearinghouse fakes that do reproduce one are
``payer_server``, ``stedi``, ``optum`` and ``core_soap``, each citing its page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from redis import Redis

from config.settings import Settings
from verifier.domain import EligibilityRequest, Person, Provider, Relationship
from verifier.payers.base import PayerAdapter
from verifier.payers.directory import PayerDirectory, PayerEntry
from verifier.payers.resilience import wrap

MEMBER_ID = "W123456789"
TRACE = "a1b2c3d4e5f60718293a4b5c6d7e8f90-1"


def make_request(**changes: Any) -> EligibilityRequest:
    request = EligibilityRequest(
        payer_id="FAKE1",
        payer_name="FAKE HEALTH PLAN",
        provider=Provider(npi="1234567893", organization_name="EXAMPLE BEHAVIORAL HEALTH"),
        subscriber=Person("ZELPHA", "QUINTAVIUS", dt.date(1988, 4, 12), member_id=MEMBER_ID),
        service_date=dt.date(2026, 3, 2),
        trace_number=TRACE,
        service_types=("A8", "MH"),
        group_number="GRP-77",
    )
    return dataclasses.replace(request, **changes)


def with_dependent(request: EligibilityRequest) -> EligibilityRequest:
    return dataclasses.replace(
        request,
        dependent=Person("MILO", "QUINTAVIUS", dt.date(2010, 6, 1)),
        relationship=Relationship.CHILD,
    )


def make_entry(adapter: str, **values: Any) -> PayerEntry:
    """A directory entry parsed the way payers.toml is, with a unique payer id."""
    payer_id = values.pop("payer_id", None) or f"T-{uuid.uuid4().hex[:10].upper()}"
    raw = {"name": "Fake Health Plan", "adapter": adapter, "timeout": 2.0} | values
    entry = PayerDirectory.from_mapping({"payers": {payer_id: raw}}).get(payer_id)
    assert entry is not None
    return entry


def make_settings(**changes: Any) -> Settings:
    base = Settings(
        environment="test",
        payer_timeout=2.0,
        job_timeout=20,
        lease_seconds=30,
        queue_prefix=f"vt{uuid.uuid4().hex[:10]}",
    )
    return dataclasses.replace(base, **changes)


def resilient(
    adapter: PayerAdapter, entry: PayerEntry, settings: Settings, redis: Redis
) -> PayerAdapter:
    return wrap(adapter, entry, settings, redis)


def make_connected(
    kind: str, connection: dict[str, Any] | None = None, **values: Any
) -> PayerEntry:
    """A payer reached through a ``[connections.account]`` of ``kind``, as payers.toml says."""
    payer_id = values.pop("payer_id", None) or f"T-{uuid.uuid4().hex[:10].upper()}"
    raw = {"name": "Fake Health Plan", "connection": "account", "timeout": 2.0} | values
    data = {
        "connections": {"account": {"kind": kind} | (connection or {})},
        "payers": {payer_id: raw},
    }
    entry = PayerDirectory.from_mapping(data).get(payer_id)
    assert entry is not None
    return entry

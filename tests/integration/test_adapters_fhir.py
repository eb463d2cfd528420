"""The fhir adapter over real HTTP on loopback: $submit, R4 responses, OperationOutcomes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from redis import Redis

from tests.fakes import fhir_responses as fhir
from tests.fakes.payer_kit import TRACE, make_entry, make_request, make_settings, resilient
from tests.fakes.payer_server import FakePayer, Reply
from verifier.domain import Benefit, RetryClass
from verifier.payers.base import (
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.payers.fhir import STC_SYSTEM, FhirAdapter

PATH = fhir.PATH


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        yield server


@pytest.fixture
def adapter(payer: FakePayer, redis: Redis) -> Callable[..., Any]:
    def build(**values: Any) -> Any:
        options = {"retries": 2, "backoff_base": 0.01} | values.pop("options", {})
        entry = make_entry("fhir", endpoint=payer.url + "/fhir", options=options, **values)
        settings = make_settings()
        return resilient(FhirAdapter(entry, settings), entry, settings, redis)

    return build


def _benefits(outcome: Any) -> list[Benefit]:
    patient = outcome.result.patient
    assert patient is not None
    return list(patient.benefits)


def test_the_request_is_an_r4_coverage_eligibility_request(payer: FakePayer, adapter: Any) -> None:
    payer.on(PATH, Reply(body=fhir.active))
    adapter().check(make_request())
    sent = payer.calls(PATH)[0]
    body = sent.json()
    assert sent.header("Content-Type") == "application/fhir+json"
    assert body["resourceType"] == "CoverageEligibilityRequest"
    assert body["purpose"] == ["benefits"]
    assert [i["category"]["coding"][0] for i in body["item"]] == [
        {"system": STC_SYSTEM, "code": "A8"},
        {"system": STC_SYSTEM, "code": "MH"},
    ]
    coverage = next(r for r in body["contained"] if r["resourceType"] == "Coverage")
    assert coverage["subscriberId"] == "W123456789"


@pytest.mark.parametrize("answer", [fhir.active, fhir.bundled], ids=["bare", "bundle"])
def test_benefits_map_to_x12_shaped_domain_benefits(
    payer: FakePayer, adapter: Any, answer: Any
) -> None:
    payer.on(PATH, Reply(body=answer))
    benefits = _benefits(adapter().check(make_request()))
    rows = {(b.info, b.time_period, b.in_plan_network): b for b in benefits}
    assert rows[("1", None, None)].service_types == ("MH",)
    assert rows[("C", "23", "Y")].amount == Decimal("1500.00")
    assert rows[("C", "29", "Y")].amount == Decimal("400.00")
    assert rows[("C", "24", "N")].amount == Decimal("200.00")
    assert ("C", "29", "N") not in rows  # remaining only when both totals are known
    assert rows[("B", "23", "Y")].amount == Decimal("30.00")
    assert rows[("A", "23", "Y")].percent == Decimal("0.2")
    assert rows[("F", "29", "Y")].quantity == 18
    assert rows[("B", "23", "Y")].authorization_required == "Y"
    assert payer.count(PATH) == 1


def test_not_inforce_is_inactive(payer: FakePayer, adapter: Any) -> None:
    payer.on(
        PATH, Reply(body=fhir.changed(insurance=[{"coverage": {"display": "X"}, "inforce": False}]))
    )
    assert [b.info for b in _benefits(adapter().check(make_request()))] == ["6"]


@pytest.mark.parametrize(
    ("reply", "error", "retry_class", "calls"),
    [
        (fhir.outcome("not-found", 404), PayerRejected, RetryClass.NOT_FOUND, 1),
        (fhir.outcome("invalid", 400), PayerRejected, RetryClass.FIX_INPUT, 1),
        (
            fhir.outcome(
                "processing", 422, {"coding": [{"system": "https://x12.org/aaa", "code": "72"}]}
            ),
            PayerRejected,
            RetryClass.FIX_INPUT,
            1,
        ),
        (fhir.outcome("transient", 200), PayerUnavailable, None, 3),
        (fhir.outcome("transient", 503), PayerUnavailable, None, 3),
        (fhir.outcome("security", 401), PayerAuthError, None, 1),
        (fhir.outcome("processing", 422), PayerRejected, RetryClass.CONFIGURATION, 1),
    ],
    ids=["not-found", "invalid", "x12-aaa-code", "transient", "503", "security", "other"],
)
def test_operation_outcomes_become_typed_errors(
    payer: FakePayer,
    adapter: Any,
    reply: Reply,
    error: type[Exception],
    retry_class: RetryClass | None,
    calls: int,
) -> None:
    payer.on(PATH, reply)
    with pytest.raises(error) as raised:
        adapter().check(make_request())
    if retry_class is not None:
        assert isinstance(raised.value, PayerRejected)
        assert {e.retry_class for e in raised.value.errors} == {retry_class}
    assert payer.count(PATH) == calls


def test_429_with_retry_after_is_retried(payer: FakePayer, adapter: Any) -> None:
    payer.on(PATH, Reply(429, headers={"Retry-After": "1"}), Reply(body=fhir.active))
    started = time.monotonic()
    adapter(options={"attempt_budget": 6}).check(make_request())
    assert time.monotonic() - started >= 1.0 and payer.count(PATH) == 2


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, "<html>oops</html>", content_type="text/html"),
        Reply(200, ""),
        Reply(200, '{"resourceType": "Patient"}', content_type="application/fhir+json"),
        Reply(200, '{"resourceType": "CoverageEligibilityResponse", "status": "bogus"}'),
        Reply(200, '{"resourceType": "Bundle", "type": "collection", "entry": []}'),
    ],
    ids=["html", "empty", "other-resource", "fails-schema", "empty-bundle"],
)
def test_a_200_that_is_no_eligibility_response_is_invalid(
    payer: FakePayer, adapter: Any, reply: Reply
) -> None:
    payer.on(PATH, reply)
    with pytest.raises(PayerResponseInvalid) as raised:
        adapter().check(make_request())
    assert "QUINTAVIUS" not in str(raised.value)
    assert payer.count(PATH) == 1


def test_a_response_to_another_request_is_invalid(payer: FakePayer, adapter: Any) -> None:
    other = {"identifier": {"system": "urn:verifier:trace-number", "value": TRACE + "9"}}
    payer.on(PATH, Reply(body=fhir.changed(request=other)))
    with pytest.raises(PayerResponseInvalid, match="trace"):
        adapter().check(make_request())


def test_a_drip_fed_response_is_cut_at_the_deadline(payer: FakePayer, adapter: Any) -> None:
    payer.on(PATH, Reply(body=fhir.active, drip=0.01))
    started = time.monotonic()
    with pytest.raises(PayerUnavailable):
        adapter(timeout=0.5, options={"retries": 0}).check(make_request())
    assert time.monotonic() - started < 1.5 and payer.count(PATH) == 1

"""The x12_http adapter over real HTTP on loopback, raw and CORE SOAP framings.

The fake payer reads each 270 with ``read_270`` and answers with a 271 (or 999/TA1) from
our builder. Each case names the typed outcome and the exact number of calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis import Redis

from tests.fakes import x12_responses as x12
from tests.fakes.payer_kit import MEMBER_ID, TRACE, make_entry, make_request, make_settings
from tests.fakes.payer_kit import resilient as wrap_adapter
from tests.fakes.payer_server import FakePayer, Reply
from verifier.domain import RetryClass
from verifier.payers.base import (
    CheckOutcome,
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.payers.x12_http import X12HttpAdapter
from verifier.x12.inquiry import read_270

PATH = x12.PATH
FRAMINGS = ["raw", "core_soap"]


@pytest.fixture(autouse=True)
def soap_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VT_X12_USER", "verifier-user")
    monkeypatch.setenv("VT_X12_PASSWORD", "s3cr<et>&pw")


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        yield server


@pytest.fixture(params=FRAMINGS)
def framing(request: pytest.FixtureRequest) -> str:
    framing: str = request.param
    return framing


@pytest.fixture
def adapter(payer: FakePayer, framing: str, redis: Redis) -> Callable[..., Any]:
    def build(**values: Any) -> Any:
        options = {"retries": 2, "backoff_base": 0.01} | values.pop("options", {})
        credentials = (
            {"username": "VT_X12_USER", "password": "VT_X12_PASSWORD"}
            if framing == "core_soap"
            else {}
        )
        entry = make_entry(
            "x12_http",
            endpoint=payer.url + PATH,
            framing=framing,
            credentials=credentials,
            options=options,
            **values,
        )
        settings = make_settings()
        return wrap_adapter(X12HttpAdapter(entry, settings, redis), entry, settings, redis)

    return build


def test_success_reads_the_271_for_our_270(payer: FakePayer, adapter: Any, framing: str) -> None:
    payer.on(PATH, Reply(body=x12.answer(framing=framing)))
    outcome: CheckOutcome = adapter().check(make_request())
    patient = outcome.result.patient
    assert patient is not None and patient.member_id == MEMBER_ID
    assert [b.info for b in patient.benefits] == ["1", "B", "A"]
    assert outcome.exchange.request and outcome.exchange.response
    assert payer.count(PATH) == 1


def test_raw_framing_posts_the_270_as_edi_x12(payer: FakePayer, redis: Redis) -> None:
    payer.on(PATH, Reply(body=x12.answer()))
    entry = make_entry("x12_http", endpoint=payer.url + PATH, framing="raw")
    X12HttpAdapter(entry, make_settings(), redis).check(make_request())
    sent = payer.calls(PATH)[0]
    assert sent.header("Content-Type") == "application/edi-x12"
    inquiry = read_270(sent.text)
    assert inquiry.trace_number == TRACE.upper()
    assert inquiry.subscriber is not None and inquiry.subscriber.member_id == MEMBER_ID


def test_core_soap_envelope_carries_the_core_fields_and_username_token(
    payer: FakePayer, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re
    import uuid

    payer.on(PATH, Reply(body=x12.answer(framing="core_soap")))
    entry = make_entry(
        "x12_http",
        endpoint=payer.url + PATH,
        framing="core_soap",
        credentials={"username": "VT_X12_USER", "password": "VT_X12_PASSWORD"},
    )
    outcome = X12HttpAdapter(entry, make_settings(), redis).check(make_request())
    sent = payer.calls(PATH)[0].text
    assert "<PayloadType>X12_270_Request_005010X279A1</PayloadType>" in sent
    assert "<ProcessingMode>RealTime</ProcessingMode>" in sent
    assert "<CORERuleVersion>2.2.0</CORERuleVersion>" in sent
    payload_id = re.search(r"<PayloadID>([^<]+)</PayloadID>", sent)
    assert payload_id is not None and uuid.UUID(payload_id.group(1)).version == 4
    assert re.search(r"<TimeStamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</TimeStamp>", sent)
    assert "<wsse:Username>verifier-user</wsse:Username>" in sent
    assert "s3cr&lt;et&gt;&amp;pw" in sent
    assert outcome.exchange.request is not None
    assert "s3cr" not in outcome.exchange.request  # the password is never kept


def test_control_numbers_differ_between_interchanges(payer: FakePayer, redis: Redis) -> None:
    payer.on(PATH, Reply(body=x12.answer()))
    entry = make_entry("x12_http", endpoint=payer.url + PATH, framing="raw")
    adapter = X12HttpAdapter(entry, make_settings(), redis)
    adapter.check(make_request())
    adapter.check(make_request())
    numbers = [read_270(c.text).interchange_control_number for c in payer.calls(PATH)]
    assert len(set(numbers)) == 2


@pytest.mark.parametrize(
    ("result_for", "error", "retry_class", "calls"),
    [
        (x12.rejected("2100A", "42", "R"), PayerUnavailable, None, 3),
        (x12.rejected("2100A", "42", "C"), PayerUnavailable, None, 1),
        (x12.rejected("2100C", "72", "C"), PayerRejected, RetryClass.FIX_INPUT, 1),
        (x12.rejected("2100C", "75", "C"), PayerRejected, RetryClass.NOT_FOUND, 1),
        (x12.rejected("2100B", "41", "N"), PayerRejected, RetryClass.CONFIGURATION, 1),
        (x12.rejected("2100A", "80", "N"), PayerRejected, RetryClass.CONFIGURATION, 1),
    ],
    ids=[
        "retry-later",
        "retry-later-correct-first",
        "fix-input",
        "not-found",
        "configuration",
        "no-resubmission",
    ],
)
def test_each_aaa_class_becomes_its_typed_error(
    payer: FakePayer,
    adapter: Any,
    framing: str,
    result_for: Any,
    error: type[Exception],
    retry_class: RetryClass | None,
    calls: int,
) -> None:
    payer.on(PATH, Reply(body=x12.answer(result_for, framing)))
    with pytest.raises(error) as raised:
        adapter().check(make_request())
    if retry_class is not None:
        assert isinstance(raised.value, PayerRejected)
        assert [e.retry_class for e in raised.value.errors] == [retry_class]
    assert payer.count(PATH) == calls


def test_a_benefit_level_aaa_is_part_of_the_outcome(
    payer: FakePayer, adapter: Any, framing: str
) -> None:
    payer.on(PATH, Reply(body=x12.answer(x12.with_benefit_error, framing)))
    outcome = adapter().check(make_request())
    errors = outcome.result.errors
    assert [(e.reject_code, e.retry_class) for e in errors] == [("53", RetryClass.BENEFIT_LEVEL)]
    assert payer.count(PATH) == 1


@pytest.mark.parametrize("kind", ["999", "TA1"])
def test_an_acknowledgment_rejection_is_payer_rejected(
    payer: FakePayer, adapter: Any, framing: str, kind: str
) -> None:
    builder = x12.rejected_999 if kind == "999" else x12.rejected_ta1
    payer.on(PATH, Reply(body=builder(framing)))
    with pytest.raises(PayerRejected) as raised:
        adapter().check(make_request())
    assert {e.loop for e in raised.value.errors} == {kind}
    assert payer.count(PATH) == 1


def test_a_mismatched_trace_number_is_invalid(payer: FakePayer, adapter: Any, framing: str) -> None:
    payer.on(PATH, Reply(body=x12.answer(framing=framing, trace="someone-else-1")))
    with pytest.raises(PayerResponseInvalid, match="trace"):
        adapter().check(make_request())
    assert payer.count(PATH) == 1


def test_a_mismatched_member_id_is_invalid(payer: FakePayer, adapter: Any, framing: str) -> None:
    payer.on(PATH, Reply(body=x12.answer(x12.other_member, framing)))
    with pytest.raises(PayerResponseInvalid, match="member"):
        adapter().check(make_request())
    assert payer.count(PATH) == 1


def test_a_truncated_271_is_invalid(payer: FakePayer, adapter: Any, framing: str) -> None:
    payer.on(PATH, Reply(body=x12.truncated(framing)))
    with pytest.raises(PayerResponseInvalid):
        adapter().check(make_request())
    assert payer.count(PATH) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, "<html><body>Bad Gateway</body></html>", content_type="text/html"),
        Reply(200, ""),
    ],
    ids=["html", "empty"],
)
def test_a_200_that_is_not_x12_is_invalid(payer: FakePayer, adapter: Any, reply: Reply) -> None:
    payer.on(PATH, reply)
    with pytest.raises(PayerResponseInvalid):
        adapter().check(make_request())
    assert payer.count(PATH) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_then_unavailable(
    payer: FakePayer, adapter: Any, status: int
) -> None:
    payer.on(PATH, Reply(status, "<html>down</html>", content_type="text/html"))
    with pytest.raises(PayerUnavailable):
        adapter().check(make_request())
    assert payer.count(PATH) == 3


def test_429_waits_for_retry_after_then_succeeds(
    payer: FakePayer, adapter: Any, framing: str
) -> None:
    payer.on(
        PATH, Reply(429, headers={"Retry-After": "1"}), Reply(body=x12.answer(framing=framing))
    )
    started = time.monotonic()
    adapter(options={"attempt_budget": 6}).check(make_request())
    assert time.monotonic() - started >= 1.0
    assert payer.count(PATH) == 2


def test_a_400_is_rejected_without_retry(payer: FakePayer, adapter: Any) -> None:
    payer.on(PATH, Reply(400, "bad request"))
    with pytest.raises(PayerRejected):
        adapter().check(make_request())
    assert payer.count(PATH) == 1


def test_a_slow_payer_times_out(payer: FakePayer, adapter: Any) -> None:
    payer.on(PATH, Reply(body=x12.answer(), delay=2.0))
    started = time.monotonic()
    with pytest.raises(PayerUnavailable):
        adapter(timeout=0.3, options={"retries": 0}).check(make_request())
    assert time.monotonic() - started < 1.5
    assert payer.count(PATH) == 1


def test_a_drip_fed_271_is_cut_at_the_deadline(
    payer: FakePayer, adapter: Any, framing: str
) -> None:
    payer.on(PATH, Reply(body=x12.answer(framing=framing), drip=0.01))
    started = time.monotonic()
    with pytest.raises(PayerUnavailable):
        adapter(timeout=0.5, options={"retries": 0}).check(make_request())
    assert time.monotonic() - started < 1.5
    assert payer.count(PATH) == 1


def test_an_oversized_body_is_invalid(payer: FakePayer, adapter: Any) -> None:
    payer.on(PATH, Reply(200, b"ISA" + b"*" * (2 * 1024 * 1024)))
    with pytest.raises(PayerResponseInvalid):
        adapter().check(make_request())
    assert payer.count(PATH) == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("UnAuthorized", PayerAuthError),
        ("ReceiverNotAvailable", PayerUnavailable),
        ("PayloadTypeNotSupported", PayerRejected),
    ],
)
def test_core_error_codes_are_typed(
    payer: FakePayer, redis: Redis, code: str, error: type[Exception]
) -> None:
    payer.on(PATH, Reply(200, x12.soap_error(code), content_type="application/soap+xml"))
    entry = make_entry("x12_http", endpoint=payer.url + PATH, framing="core_soap")
    with pytest.raises(error):
        X12HttpAdapter(entry, make_settings(), redis).check(make_request())


def test_an_xml_entity_bomb_is_refused_unexpanded(payer: FakePayer, redis: Redis) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope">'
        "<soapenv:Body><Payload>&lol2;</Payload></soapenv:Body></soapenv:Envelope>"
    )
    payer.on(PATH, Reply(200, bomb, content_type="application/soap+xml"))
    entry = make_entry("x12_http", endpoint=payer.url + PATH, framing="core_soap")
    with pytest.raises(PayerResponseInvalid, match="forbidden"):
        X12HttpAdapter(entry, make_settings(), redis).check(make_request())

"""The clearinghouse adapter over real HTTP on loopback, behind the resilience layer.

Each case names the typed outcome and the exact number of calls the payer saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.fakes import clearinghouse_responses as ch
from tests.fakes.payer_kit import MEMBER_ID, make_entry, make_request, make_settings, resilient
from tests.fakes.payer_server import FakePayer, Reply
from verifier.domain import RetryClass
from verifier.payers import oauth
from verifier.payers.base import (
    CheckOutcome,
    PayerAuthError,
    PayerRejected,
    PayerResponseInvalid,
    PayerUnavailable,
)
from verifier.payers.clearinghouse import ClearinghouseAdapter, idempotency_key
from verifier.store.crypto import Keyring, generate_key_spec

ELIGIBILITY = ch.ELIGIBILITY_PATH
TOKEN = ch.TOKEN_PATH
CREDENTIALS = {"client_id": "VT_CH_CLIENT_ID", "client_secret": "VT_CH_CLIENT_SECRET"}


@pytest.fixture(autouse=True)
def client_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("VT_CH_CLIENT_ID", "client-1")
    monkeypatch.setenv("VT_CH_CLIENT_SECRET", "secret-1")
    oauth.forget_all()
    yield
    oauth.forget_all()


@pytest.fixture
def payer() -> Iterator[FakePayer]:
    with FakePayer() as server:
        server.on(TOKEN, ch.token_reply())
        yield server


@pytest.fixture
def shared_tokens(redis: Redis) -> Iterator[oauth.SharedTokens]:
    """The workers' token cache, on the test's Redis under a prefix of its own (emptied after)."""
    shared = oauth.SharedTokens(
        redis, Keyring.parse(generate_key_spec("t")), make_settings().queue_prefix
    )
    yield shared
    leftover = list(redis.scan_iter(f"{shared.prefix}:*"))
    if leftover:
        redis.delete(*leftover)


@pytest.fixture
def adapter(payer: FakePayer, redis: Redis) -> Callable[..., Any]:
    """Build the wrapped adapter; keyword arguments become directory values."""

    def build(shared: oauth.SharedTokens | None = None, **values: Any) -> Any:
        options = {"token_url": payer.url + TOKEN, "retries": 2, "backoff_base": 0.01}
        options |= values.pop("options", {})
        entry = make_entry(
            "clearinghouse",
            endpoint=payer.url + ELIGIBILITY,
            credentials=CREDENTIALS,
            options=options,
            **values,
        )
        settings = make_settings()
        return resilient(ClearinghouseAdapter(entry, settings, shared), entry, settings, redis)

    return build


def test_success_maps_benefits_to_domain_objects(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.active))
    outcome: CheckOutcome = adapter().check(make_request())
    patient = outcome.result.patient
    assert patient is not None and patient.member_id == MEMBER_ID
    copay = next(b for b in patient.benefits if b.info == "B")
    assert (copay.amount, copay.time_period, copay.in_plan_network) == (Decimal(30), "27", "Y")
    assert copay.authorization_required == "Y"
    assert copay.messages == ("PRECERTIFICATION REQUIRED",)
    assert {d.qualifier for d in patient.dates} == {"346", "347"}
    assert (payer.count(TOKEN), payer.count(ELIGIBILITY)) == (1, 1)


def test_request_is_json_with_bearer_token_and_idempotency_key(
    payer: FakePayer, adapter: Any
) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.active))
    request = make_request()
    adapter().check(request)
    sent = payer.calls(ELIGIBILITY)[0]
    body = sent.json()
    assert sent.header("Authorization") == "Bearer tok-1"
    assert sent.header("Idempotency-Key") == idempotency_key(request.trace_number)
    assert body["subscriber"]["memberId"] == MEMBER_ID
    assert body["encounter"] == {"serviceTypeCodes": ["A8", "MH"], "dateOfService": "20260302"}
    assert body["provider"] == {
        "organizationName": "EXAMPLE BEHAVIORAL HEALTH",
        "npi": "1234567893",
    }
    assert len(body["controlNumber"]) == 9


def test_the_token_is_cached_between_checks(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.active))
    wrapped = adapter()
    wrapped.check(make_request())
    wrapped.check(make_request(trace_number="other-2"))
    assert (payer.count(TOKEN), payer.count(ELIGIBILITY)) == (1, 2)


def test_a_token_is_shared_by_workers_that_start_with_empty_caches(
    payer: FakePayer, adapter: Any, shared_tokens: oauth.SharedTokens
) -> None:
    """A forked work-horse starts with no process cache: the shared one saves a fetch."""
    payer.on(ELIGIBILITY, Reply(body=ch.active))
    adapter(shared=shared_tokens).check(make_request())
    oauth.forget_all()  # the next job's fresh work-horse
    adapter(shared=shared_tokens).check(make_request(trace_number="other-2"))
    assert (payer.count(TOKEN), payer.count(ELIGIBILITY)) == (1, 2)
    assert [c.header("Authorization") for c in payer.calls(ELIGIBILITY)] == ["Bearer tok-1"] * 2


def test_the_shared_token_is_sealed_in_redis_and_expires_with_it(
    payer: FakePayer, adapter: Any, shared_tokens: oauth.SharedTokens, redis: Redis
) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.active))
    adapter(shared=shared_tokens).check(make_request())
    keys = list(redis.scan_iter(f"{shared_tokens.prefix}:*"))
    assert len(keys) == 1
    stored = redis.get(keys[0])
    assert isinstance(stored, bytes) and stored.startswith(b"v1.")
    assert b"tok-1" not in stored and b"client-1" not in keys[0]
    lifetime = redis.pttl(keys[0]) / 1000
    assert 0 < lifetime <= 3600 - oauth.EXPIRY_MARGIN  # token_reply: expires_in 3600


def test_a_refused_token_is_dropped_for_every_worker(
    payer: FakePayer, adapter: Any, shared_tokens: oauth.SharedTokens
) -> None:
    payer.on(TOKEN, ch.token_reply("old"), ch.token_reply("new"))
    payer.on(ELIGIBILITY, Reply(body=ch.active), Reply(401), Reply(body=ch.active))
    adapter(shared=shared_tokens).check(make_request())  # caches "old"
    oauth.forget_all()
    adapter(shared=shared_tokens).check(make_request(trace_number="t-2"))  # 401, then "new"
    oauth.forget_all()
    adapter(shared=shared_tokens).check(make_request(trace_number="t-3"))
    tokens = [c.header("Authorization") for c in payer.calls(ELIGIBILITY)]
    assert tokens == ["Bearer old", "Bearer old", "Bearer new", "Bearer new"]
    assert payer.count(TOKEN) == 2


def test_an_unreachable_shared_cache_only_costs_a_fetch(payer: FakePayer, adapter: Any) -> None:
    down = oauth.SharedTokens(
        Redis(port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)),
        Keyring.parse(generate_key_spec("t")),
        "x",
    )
    payer.on(ELIGIBILITY, Reply(body=ch.active))
    outcome = adapter(shared=down).check(make_request())
    assert outcome.result.patient is not None
    assert (payer.count(TOKEN), payer.count(ELIGIBILITY)) == (1, 1)


def test_a_token_sealed_under_a_retired_key_is_fetched_again(
    payer: FakePayer, adapter: Any, shared_tokens: oauth.SharedTokens, redis: Redis
) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.active))
    adapter(shared=shared_tokens).check(make_request())
    oauth.forget_all()
    rotated = oauth.SharedTokens(redis, Keyring.parse(generate_key_spec("n")), shared_tokens.prefix)
    adapter(shared=rotated).check(make_request(trace_number="t-2"))
    assert payer.count(TOKEN) == 2


@pytest.mark.parametrize(
    ("code", "follow_up", "location", "error", "retry_class", "calls"),
    [
        ("42", "Resubmission Allowed", "Loop 2100A", PayerUnavailable, None, 3),
        ("42", "Please Correct and Resubmit", "Loop 2100A", PayerUnavailable, None, 1),
        ("72", "Please Correct and Resubmit", "Loop 2100C", PayerRejected, RetryClass.FIX_INPUT, 1),
        ("75", "Please Correct and Resubmit", "Loop 2100C", PayerRejected, RetryClass.NOT_FOUND, 1),
        (
            "41",
            "Resubmission Not Allowed",
            "Loop 2100B",
            PayerRejected,
            RetryClass.CONFIGURATION,
            1,
        ),
        ("53", "C", "Loop 2110C", PayerRejected, RetryClass.BENEFIT_LEVEL, 1),
    ],
    ids=[
        "retry-later",
        "retry-later-but-correct-first",
        "fix-input",
        "not-found",
        "configuration",
        "benefit-level",
    ],
)
def test_each_aaa_class_becomes_its_typed_error(
    payer: FakePayer,
    adapter: Any,
    code: str,
    follow_up: str,
    location: str,
    error: type[Exception],
    retry_class: RetryClass | None,
    calls: int,
) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.aaa(code, follow_up, location)))
    with pytest.raises(error) as raised:
        adapter().check(make_request())
    if retry_class is not None:
        assert isinstance(raised.value, PayerRejected)
        assert [e.retry_class for e in raised.value.errors] == [retry_class]
        assert raised.value.codes == (code,)
    assert payer.count(ELIGIBILITY) == calls


def test_a_benefit_level_aaa_next_to_benefits_is_an_outcome(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.aaa("53", "C", "Loop 2110C", with_benefits=True)))
    outcome = adapter().check(make_request())
    assert outcome.result.patient is not None and outcome.result.patient.benefits
    assert payer.count(ELIGIBILITY) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_then_unavailable(
    payer: FakePayer, adapter: Any, status: int
) -> None:
    payer.on(ELIGIBILITY, Reply(status, "<html>down</html>", content_type="text/html"))
    with pytest.raises(PayerUnavailable):
        adapter().check(make_request())
    assert payer.count(ELIGIBILITY) == 3


def test_a_503_then_success_completes_with_the_same_idempotency_key(
    payer: FakePayer, adapter: Any
) -> None:
    payer.on(ELIGIBILITY, Reply(503), Reply(body=ch.active))
    adapter().check(make_request())
    keys = {c.header("Idempotency-Key") for c in payer.calls(ELIGIBILITY)}
    assert payer.count(ELIGIBILITY) == 2 and len(keys) == 1


def test_429_waits_for_retry_after_then_succeeds(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(429, headers={"Retry-After": "1"}), Reply(body=ch.active))
    started = time.monotonic()
    adapter(timeout=2.0, options={"attempt_budget": 6}).check(make_request())
    assert time.monotonic() - started >= 1.0
    assert payer.count(ELIGIBILITY) == 2


def test_429_with_retry_after_beyond_the_budget_gives_up_at_once(
    payer: FakePayer, adapter: Any
) -> None:
    payer.on(ELIGIBILITY, Reply(429, headers={"Retry-After": "120"}))
    with pytest.raises(PayerUnavailable) as raised:
        adapter().check(make_request())
    assert raised.value.retry_after == 120
    assert payer.count(ELIGIBILITY) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, "<html><body>Service Unavailable</body></html>", content_type="text/html"),
        Reply(200, ""),
        Reply(200, "[1, 2]", content_type="application/json"),
        Reply(200, "{}", content_type="application/json"),
    ],
    ids=["html", "empty", "not-an-object", "no-subscriber"],
)
def test_a_200_that_is_not_an_eligibility_response_is_invalid(
    payer: FakePayer, adapter: Any, reply: Reply
) -> None:
    payer.on(ELIGIBILITY, reply)
    with pytest.raises(PayerResponseInvalid):
        adapter().check(make_request())
    assert payer.count(ELIGIBILITY) == 1


def test_a_slow_payer_times_out(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.active, delay=2.0))
    started = time.monotonic()
    with pytest.raises(PayerUnavailable):
        adapter(timeout=0.3, options={"retries": 0}).check(make_request())
    assert time.monotonic() - started < 1.5
    assert payer.count(ELIGIBILITY) == 1


def test_a_slow_first_answer_is_retried(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.active, delay=1.0), Reply(body=ch.active))
    adapter(timeout=0.3, options={"attempt_budget": 3}).check(make_request())
    assert payer.count(ELIGIBILITY) == 2


def test_a_drip_fed_body_is_cut_at_the_deadline(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(200, "x" * 400, content_type="application/json", drip=0.02))
    started = time.monotonic()
    with pytest.raises(PayerUnavailable):
        adapter(timeout=0.5, options={"retries": 0}).check(make_request())
    assert time.monotonic() - started < 1.5
    assert payer.count(ELIGIBILITY) == 1


def test_an_oversized_body_is_invalid(payer: FakePayer, adapter: Any) -> None:
    payer.on(
        ELIGIBILITY, Reply(200, b"{" + b" " * (2 * 1024 * 1024), content_type="application/json")
    )
    with pytest.raises(PayerResponseInvalid):
        adapter().check(make_request())
    assert payer.count(ELIGIBILITY) == 1


def test_a_dropped_connection_is_unavailable_and_retried(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(close=True))
    with pytest.raises(PayerUnavailable):
        adapter().check(make_request())
    assert payer.count(ELIGIBILITY) == 3


def test_an_expired_token_is_refreshed_once(payer: FakePayer, adapter: Any) -> None:
    payer.on(TOKEN, ch.token_reply("old"), ch.token_reply("new"))
    payer.on(ELIGIBILITY, Reply(401), Reply(body=ch.active))
    adapter().check(make_request())
    tokens = [c.header("Authorization") for c in payer.calls(ELIGIBILITY)]
    assert tokens == ["Bearer old", "Bearer new"]
    assert (payer.count(TOKEN), payer.count(ELIGIBILITY)) == (2, 2)


def test_a_second_401_is_an_auth_error(payer: FakePayer, adapter: Any) -> None:
    payer.on(ELIGIBILITY, Reply(401))
    with pytest.raises(PayerAuthError):
        adapter().check(make_request())
    assert (payer.count(TOKEN), payer.count(ELIGIBILITY)) == (2, 2)


def test_refused_client_credentials_are_an_auth_error(payer: FakePayer, adapter: Any) -> None:
    payer.on(TOKEN, Reply(401, '{"error": "invalid_client"}'))
    with pytest.raises(PayerAuthError):
        adapter().check(make_request())
    assert (payer.count(TOKEN), payer.count(ELIGIBILITY)) == (1, 0)


def test_a_missing_secret_names_the_variable_not_a_value(
    payer: FakePayer, adapter: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VT_CH_CLIENT_SECRET")
    with pytest.raises(PayerAuthError, match="VT_CH_CLIENT_SECRET"):
        adapter().check(make_request())
    assert payer.count() == 0


def test_a_400_with_errors_is_a_rejection(payer: FakePayer, adapter: Any) -> None:
    body = '{"errors": [{"code": "72", "description": "Invalid Member ID", "location": "2100C"}]}'
    payer.on(ELIGIBILITY, Reply(400, body, content_type="application/json"))
    with pytest.raises(PayerRejected) as raised:
        adapter().check(make_request())
    assert raised.value.codes == ("72",)
    assert payer.count(ELIGIBILITY) == 1


@pytest.mark.parametrize(
    "mismatch",
    [{"controlNumber": "000000001"}, {"subscriber": {"memberId": "SOMEONEELSE"}}],
    ids=["control-number", "member-id"],
)
def test_an_answer_about_another_inquiry_is_invalid(
    payer: FakePayer, adapter: Any, mismatch: dict[str, Any]
) -> None:
    payer.on(ELIGIBILITY, Reply(body=ch.changed(ch.active, **mismatch)))
    with pytest.raises(PayerResponseInvalid):
        adapter().check(make_request())
    assert payer.count(ELIGIBILITY) == 1

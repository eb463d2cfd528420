"""A Stedi connection against a fake that behaves as Stedi's API reference says.

The fake (``tests.fakes.stedi``) checks the API key, answers with Stedi's own control number
and trace, and returns AAA errors with HTTP 400; the published example responses are
served verbatim. Each case names the outcome and the number of calls Stedi saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from redis import Redis

from tests.fakes.payer_kit import make_connected, make_request, make_settings, resilient
from tests.fakes.stedi import API_KEY, BASE, RAW, StediFake
from verifier.coverage import default_profile, summarize
from verifier.domain import Condition, LevelOfCare, Person, Provider, Relationship, RetryClass
from verifier.payers.base import (
    PayerAdapter,
    PayerAuthError,
    PayerRejected,
    PayerUnavailable,
)
from verifier.payers.clearinghouse import StediAdapter, control_number

KEY_VARIABLE = "VT_STEDI_API_KEY"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VARIABLE, API_KEY)


@pytest.fixture
def stedi() -> Iterator[StediFake]:
    with StediFake() as fake:
        yield fake


@pytest.fixture
def connect(stedi: StediFake, redis: Redis) -> Any:
    def build(options: dict[str, Any] | None = None, **values: Any) -> PayerAdapter:
        entry = make_connected(
            "stedi",
            {
                "endpoint": stedi.endpoint,
                "credentials": {"api_key": KEY_VARIABLE},
                "options": {"retries": 1, "backoff_base": 0.01} | (options or {}),
            },
            **values,
        )
        settings = make_settings()
        return resilient(StediAdapter(entry, settings, redis=redis), entry, settings, redis)

    return build


def published_dependent_request() -> Any:
    """Stedi's published request example 1 (UHC 87726, John Doe's spouse Jane)."""
    return make_request(
        payer_id="87726",
        payer_name="UNITEDHEALTHCARE",
        provider=Provider(npi="1999999984", organization_name="Provider Name"),
        subscriber=Person("John", "Doe", dt.date(1976, 2, 14), member_id="UHC202649"),
        dependent=Person("Jane", "Doe", dt.date(1952, 11, 21)),
        relationship=Relationship.SPOUSE,
        service_types=("30",),
        group_number=None,
    )


def test_the_api_key_itself_is_the_authorization_header(stedi: StediFake, connect: Any) -> None:
    connect().check(make_request())
    (call,) = stedi.calls()
    assert call.header("Authorization") == API_KEY  # no "Bearer", and no token request
    assert stedi.server.count() == 1


def test_an_answer_with_stedis_own_control_number_is_accepted(
    stedi: StediFake, connect: Any
) -> None:
    request = make_request()
    outcome = connect().check(request)
    sent = stedi.calls()[0].json()["controlNumber"]
    assert sent == control_number(request.trace_number)
    assert outcome.result.control_number == stedi.control_numbers[0] != sent
    assert outcome.result.patient is not None and outcome.result.patient.benefits


def test_an_answer_with_stedis_own_trace_number_is_accepted(connect: Any) -> None:
    request = make_request()
    outcome = connect().check(request)
    echoed = [trace.number for trace in outcome.result.traces if trace.trace_type == "2"]
    assert echoed and request.trace_number not in echoed


def test_a_refused_api_key_is_an_auth_error_after_one_call(
    stedi: StediFake, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, "revoked-key")
    with pytest.raises(PayerAuthError):
        connect().check(make_request())
    assert stedi.server.count() == 1


def test_a_missing_api_key_names_the_variable(
    connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_VARIABLE)
    with pytest.raises(PayerAuthError, match=KEY_VARIABLE):
        connect().check(make_request())


def test_the_published_dependent_example_maps_to_the_dependents_benefits(
    connect: Any,
) -> None:
    result = connect().check(published_dependent_request()).result
    assert result.subscriber is not None and result.subscriber.member_id == "UHC202649"
    patient = result.dependent
    assert patient is not None and patient.loop == "2100D"
    assert (patient.first_name, patient.relationship_code) == ("Jane", "01")
    assert len(patient.benefits) == 41
    assert result.payer.identifier == "87726"
    # planInformation.groupNumber 186084; planDateInformation.plan 20240101-20241231
    assert ("6P", "186084") in [(r.qualifier, r.value) for r in patient.references]
    (plan,) = [d for d in patient.dates if d.qualifier == "291"]
    assert (plan.start, plan.end) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_the_published_example_keeps_url_contacts_and_place_of_service(connect: Any) -> None:
    patient = connect().check(published_dependent_request()).result.dependent
    assert patient is not None
    active = patient.benefits[0]
    (entity,) = active.related_entities
    assert entity.contacts[0].communications == (("UR", "WWW.UHCPROVIDER.COM"),)
    # EB*A*IND*A6***27**.2****Y~III*ZZ*11: 20 % in network, office (11)
    coinsurance = [b for b in patient.benefits if b.info == "A" and b.in_plan_network == "Y"]
    assert coinsurance[0].percent == Decimal("0.2")
    assert all(b.places_of_service == ("11",) for b in coinsurance)


def test_the_published_example_gives_an_iop_summary_end_to_end(connect: Any) -> None:
    result = connect().check(published_dependent_request()).result
    summary = summarize(
        result,
        level=LevelOfCare.IOP,
        condition=Condition.MENTAL_HEALTH,
        facility=default_profile(),
        in_network=True,
    ).to_dict()
    # EB*1**30*C1*CHOICE PLUS; REF*6P*186084; DTP*291*RD8*20240101-20241231 (2100C)
    assert summary["coverage"]["status"] == "active"
    assert summary["coverage"]["plan_name"] == "CHOICE PLUS"
    assert summary["coverage"]["group_number"] == "186084"
    assert (summary["coverage"]["plan_begin"], summary["coverage"]["plan_end"]) == (
        "2024-01-01",
        "2024-12-31",
    )
    inn, oon = summary["benefits"]["in_network"], summary["benefits"]["out_of_network"]
    # EB*C*FAM*30***23*0*****Y and EB*C*FAM*30***23*3200*****Y disagree: not a number to show
    assert inn["deductible"]["family"] == {"total": None, "remaining": "0.00"}
    assert any("23*3200" in note for note in summary["evidence"]["notes"])
    # EB*C*FAM*30***23*5000*****N / ***29*1800*****N; EB*G*FAM*30*C1**23*15500 / 29*9944.84
    assert oon["deductible"]["family"] == {"total": "5000.00", "remaining": "1800.00"}
    assert oon["out_of_pocket"]["family"] == {"total": "15500.00", "remaining": "9944.84"}
    assert "PROVIDER IS OUT NETWORK FOR MEMBER" in summary["messages"]
    assert summary["errors"] == []


def test_the_published_400_is_one_provider_aaa_not_two(stedi: StediFake, connect: Any) -> None:
    request = make_request(
        payer_id="BS001",
        provider=Provider(npi="1447848577", organization_name="SIMPSON"),
        subscriber=Person("Abe", "Stedi", dt.date(2024, 6, 6), member_id=""),
        service_types=("30",),
        group_number=None,
    )
    with pytest.raises(PayerRejected) as caught:
        connect().check(request)
    # errors[] and provider.aaaErrors[] carry the same AAA 44 at Loop 2100B
    assert caught.value.codes == ("44",)
    assert caught.value.errors[0].loop == "2100B"
    assert caught.value.errors[0].follow_up == "C"
    assert stedi.server.count(BASE) == 1


@pytest.mark.parametrize("code", ["42", "80"])
def test_a_payer_that_cannot_answer_now_is_retried_then_unavailable(
    stedi: StediFake, connect: Any, code: str
) -> None:
    with pytest.raises(PayerUnavailable) as caught:
        connect().check(
            make_request(
                subscriber=Person("A", "B", dt.date(1990, 1, 1), member_id=f"UHCAAA{code}")
            )
        )
    assert caught.value.codes == (code,)
    assert stedi.server.count(BASE) == 2  # retries = 1


@pytest.mark.parametrize(
    ("code", "retry_class"),
    [
        ("72", RetryClass.FIX_INPUT),
        ("73", RetryClass.FIX_INPUT),
        ("75", RetryClass.NOT_FOUND),
        ("58", RetryClass.FIX_INPUT),
    ],
)
def test_member_errors_in_a_400_are_rejections_counted_once(
    stedi: StediFake, connect: Any, code: str, retry_class: RetryClass
) -> None:
    member = Person("A", "B", dt.date(1990, 1, 1), member_id=f"UHCAAA{code}")
    with pytest.raises(PayerRejected) as caught:
        connect().check(make_request(subscriber=member))
    assert caught.value.codes == (code,)
    assert caught.value.errors[0].retry_class is retry_class
    assert stedi.server.count(BASE) == 1


def test_raw_x12_goes_in_and_out_as_a_json_wrapper(stedi: StediFake, connect: Any) -> None:
    request = make_request()
    outcome = connect(options={"raw_x12": True}).check(request)
    (call,) = stedi.calls(RAW)
    assert set(call.json()) == {"x12"} and call.json()["x12"].startswith("ISA*")
    assert call.header("Authorization") == API_KEY
    assert outcome.result.patient is not None and outcome.result.patient.benefits
    echoed = [t.number for t in outcome.result.traces if t.trace_type == "2"]
    assert echoed and request.trace_number.upper() not in echoed  # Stedi's own TRN


def test_the_published_x12_gives_the_same_places_of_service_as_its_json() -> None:
    from tests.fakes.stedi import published
    from verifier.payers.clearinghouse_mapping import to_result
    from verifier.x12.reader import read_response

    example = published("stedi-v3-200-uhc-dependent.json")
    request = published_dependent_request()
    from_json = to_result(example, request).dependent
    from_x12 = read_response(example["x12"]).dependent
    assert from_json is not None and from_x12 is not None
    places = [(b.info, b.places_of_service) for b in from_json.benefits]
    assert places == [(b.info, b.places_of_service) for b in from_x12.benefits]
    assert places.count(("A", ("11",))) == 5  # EB*A ... III*ZZ*11, five times


def test_the_accounts_concurrency_limit_binds_all_its_payers(
    stedi: StediFake, redis: Redis
) -> None:
    import threading
    import time

    from tests.fakes.payer_server import Reply
    from verifier.payers.directory import PayerDirectory

    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    def slow(captured: Any) -> Any:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
        return stedi._eligibility(captured)

    stedi.server.on(BASE, Reply(body=slow))
    connection = {
        "kind": "stedi",
        "endpoint": stedi.endpoint,
        "credentials": {"api_key": KEY_VARIABLE},
        "max_concurrency": 1,  # Stedi: "based on concurrent requests ... per account"
        "options": {"retries": 0},
    }
    directory = PayerDirectory.from_mapping(
        {
            "connections": {"account": connection},
            "payers": {
                "60054": {"name": "Aetna", "connection": "account", "timeout": 2.0},
                "62308": {"name": "Cigna", "connection": "account", "timeout": 2.0},
            },
        }
    )
    settings = make_settings()
    adapters = []
    for payer_id in ("60054", "62308"):
        entry = directory.get(payer_id)
        assert entry is not None
        adapters.append(resilient(StediAdapter(entry, settings), entry, settings, redis))
    errors: list[BaseException] = []

    def run(adapter: PayerAdapter) -> None:
        try:
            adapter.check(make_request())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in adapters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == [] and stedi.server.count(BASE) == 2
    assert state["most"] == 1

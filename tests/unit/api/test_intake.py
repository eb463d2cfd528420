"""POST /api/v1/verifications: validates, stores, enqueues an id, answers at once."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import select

from tests.fakes.submissions import URL, valid_body
from verifier.store.models import Verification


def with_change(path: str, value: Any) -> dict[str, Any]:
    """valid_body() with the dotted ``path`` set (or removed when value is ...)."""
    body = copy.deepcopy(valid_body())
    *parents, leaf = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return body


def post(client: Any, body: Any, **kwargs: Any) -> Any:
    return client.post(URL, json=body, **kwargs)


def test_a_valid_submission_is_accepted_at_once_with_id_status_url_and_token(client: Any) -> None:
    response = post(client, valid_body())
    assert response.status_code == 202
    data = response.get_json()
    assert set(data) == {"id", "status", "status_url", "token"}
    assert data["status"] == "queued"
    assert data["status_url"] == f"{URL}/{data['id']}"
    assert len(data["token"]) >= 43  # 256 random bits, url-safe base64


def test_the_submission_is_stored_with_phi_sealed(client: Any, runtime: Any) -> None:
    data = post(client, valid_body()).get_json()
    with runtime.db.session() as session:
        row = session.get(Verification, data["id"])
        assert row is not None
        assert row.status == "queued"
        assert row.payer_id == "SANDBOX"
        assert "QUINTAVIUS" not in row.member_enc.upper()
        assert "SBX-ACTIVE-1001" not in row.member_enc
        assert row.token_hash != data["token"]


def test_the_job_carries_only_the_verification_id(client: Any, runtime: Any) -> None:
    data = post(client, valid_body()).get_json()
    queue = Queue(
        f"{runtime.settings.queue_prefix}-visitor",
        connection=runtime.redis,
        serializer=JSONSerializer,
    )
    job = queue.fetch_job(f"verify-{data['id']}-1")
    assert job is not None
    assert job.args == [data["id"]] or job.args == (data["id"],)
    assert job.kwargs == {}


def test_the_response_does_not_echo_phi(client: Any) -> None:
    text = post(client, valid_body()).get_data(as_text=True).upper()
    assert "QUINTAVIUS" not in text and "1988" not in text and "SBX-ACTIVE-1001" not in text


@pytest.mark.parametrize(
    "field",
    [
        "member",
        "member.first_name",
        "member.last_name",
        "member.date_of_birth",
        "member.member_id",
        "payer_id",
        "consent",
    ],
)
def test_a_missing_required_field_is_named(client: Any, field: str) -> None:
    response = post(client, with_change(field, ...))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_an_unknown_field_is_refused_by_name(client: Any) -> None:
    response = post(client, with_change("member.ssn", "123-45-6789"))
    assert response.status_code == 422
    assert "member.ssn" in response.get_json()["errors"]


def test_consent_must_be_true(client: Any) -> None:
    response = post(client, with_change("consent", False))
    assert response.status_code == 422
    assert "consent" in response.get_json()["errors"]


@pytest.mark.parametrize("value", ["2023-02-30", "12/04/1988", "1988-13-01", "", 19880412])
def test_a_date_of_birth_that_is_not_a_real_date_is_refused(client: Any, value: Any) -> None:
    response = post(client, with_change("member.date_of_birth", value))
    assert response.status_code == 422
    assert "member.date_of_birth" in response.get_json()["errors"]


def test_a_date_of_birth_in_the_future_is_refused(client: Any) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = post(client, with_change("member.date_of_birth", tomorrow))
    assert response.status_code == 422
    assert response.get_json()["errors"]["member.date_of_birth"] == [
        "Date of birth cannot be in the future."
    ]


def test_a_service_date_too_far_ahead_is_refused(client: Any) -> None:
    far = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    response = post(client, with_change("service_date", far))
    assert response.status_code == 422
    assert "service_date" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("member.first_name", "ANN*E"),
        ("member.last_name", "DOE~ISA"),
        ("member.last_name", "DOE:X"),
        ("member.last_name", "DOE^X"),
        ("member.last_name", "DOE|X"),
        ("member.last_name", "DOE＊X"),  # full-width asterisk becomes * under NFKC
        ("member.last_name", "DOE～X"),  # full-width tilde
        ("member.first_name", "ANNE\x00"),
        ("member.first_name", "ANNE\nSMITH"),
        ("member.first_name", "ANNE\u200bSMITH"),  # zero-width space
        ("member.member_id", "ABC*123"),
        ("member.member_id", "ABC 123~"),
        ("member.group_number", "G:1"),
        ("payer_id", "SANDBOX~"),
    ],
)
def test_x12_separators_and_control_characters_are_refused_naming_the_field(
    client: Any, field: str, value: str
) -> None:
    response = post(client, with_change(field, value))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors
    assert value not in json.dumps(errors, ensure_ascii=False)


def test_names_are_normalized_and_upper_cased(client: Any, runtime: Any) -> None:
    body = with_change("member.first_name", "ｚｅｌｐｈａ")  # full-width letters
    data = post(client, body).get_json()
    from verifier.store.records import MemberRecord, unseal

    with runtime.db.session() as session:
        row = session.get(Verification, data["id"])
        assert row is not None
        member = MemberRecord.from_json(unseal(runtime.keyring, "member", row.id, row.member_enc))
    assert member.first_name == "ZELPHA"


def test_a_dependent_needs_the_policyholder(client: Any) -> None:
    response = post(client, with_change("member.relationship", "child"))
    assert response.status_code == 422
    assert "member.subscriber" in response.get_json()["errors"]


def test_a_dependent_with_the_policyholder_is_accepted(client: Any) -> None:
    body = with_change("member.relationship", "child")
    body["member"]["subscriber"] = {
        "first_name": "Parent",
        "last_name": "Quintavius",
        "date_of_birth": "1960-01-02",
    }
    assert post(client, body).status_code == 202


def test_an_unknown_payer_is_named(client: Any) -> None:
    response = post(client, with_change("payer_id", "NOPE"))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"payer_id": ["Unknown insurance company."]}


@pytest.mark.parametrize(
    ("field", "value"),
    [("level_of_care", "detox"), ("condition", "vertigo"), ("member.relationship", "cousin"),
     ("language", "fr")],
)
def test_choices_outside_the_lists_are_refused(client: Any, field: str, value: str) -> None:
    response = post(client, with_change(field, value))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_defaults_are_iop_mental_health_and_today(client: Any, runtime: Any) -> None:
    body = valid_body()
    del body["level_of_care"], body["condition"]
    data = post(client, body).get_json()
    with runtime.db.session() as session:
        row = session.get(Verification, data["id"])
        assert row is not None
        assert (row.level_of_care, row.condition) == ("iop", "mental_health")
        assert row.service_date == dt.date.today()


def test_a_call_back_needs_a_way_to_call(client: Any) -> None:
    body = with_change("contact", {"callback_requested": True})
    response = post(client, body)
    assert response.status_code == 422
    assert "contact.phone" in response.get_json()["errors"]


def test_a_body_over_16_kib_is_413(client: Any) -> None:
    body = valid_body()
    body["padding"] = "x" * 17000
    response = post(client, body)
    assert response.status_code == 413
    assert response.is_json


def test_a_body_that_is_not_json_is_415(client: Any) -> None:
    response = client.post(URL, data="member=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.is_json


@pytest.mark.parametrize("raw", ['{"member": ', "{'single': 'quotes'}", "\xff\xfe", "[" * 7000])
def test_garbled_or_deeply_nested_json_is_400(client: Any, raw: str) -> None:
    response = client.post(URL, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json


@pytest.mark.parametrize("body", [[], "text", 12, None, {"member": []}, {"member": "x"}])
def test_json_of_the_wrong_shape_is_a_field_error(client: Any, body: Any) -> None:
    response = client.post(URL, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422


def test_a_wrong_method_is_405_with_allow(client: Any) -> None:
    response = client.delete(URL)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_the_row_count_grows_by_one_per_submission(client: Any, runtime: Any) -> None:
    with runtime.db.session() as session:
        before = len(session.execute(select(Verification.id)).all())
    post(client, valid_body())
    with runtime.db.session() as session:
        assert len(session.execute(select(Verification.id)).all()) == before + 1


@pytest.mark.parametrize("value", ["\tANNE", "ANNE\r\n", "ANNE\t"])
def test_control_characters_at_the_ends_are_refused_not_trimmed(client: Any, value: str) -> None:
    response = post(client, with_change("member.first_name", value))
    assert response.status_code == 422
    assert "member.first_name" in response.get_json()["errors"]


def test_runs_of_spaces_are_folded(client: Any, runtime: Any) -> None:
    data = post(client, with_change("member.last_name", "  VAN   DER  BERG ")).get_json()
    from verifier.store.records import MemberRecord, unseal

    with runtime.db.session() as session:
        row = session.get_one(Verification, data["id"])
        member = MemberRecord.from_json(unseal(runtime.keyring, "member", row.id, row.member_enc))
    assert member.last_name == "VAN DER BERG"


def test_an_accented_name_is_accepted_sent_transliterated_and_kept_as_typed(
    client: Any, runtime: Any
) -> None:
    response = post(client, with_change("member.last_name", "Peña"))
    assert response.status_code == 202
    from verifier.store.records import MemberRecord, unseal

    with runtime.db.session() as session:
        row = session.get_one(Verification, response.get_json()["id"])
        member = MemberRecord.from_json(unseal(runtime.keyring, "member", row.id, row.member_enc))
    assert member.last_name == "PENA"
    assert member.as_typed == {"first_name": "Zelpha", "last_name": "Peña"}


def test_a_name_in_han_characters_is_refused_asking_for_the_cards_latin_spelling(
    client: Any,
) -> None:
    response = post(client, with_change("member.last_name", "山田"))
    assert response.status_code == 422
    assert "Latin letters" in response.get_json()["errors"]["member.last_name"][0]

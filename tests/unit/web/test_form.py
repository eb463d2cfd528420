"""The form: every field labelled, no SSN, errors next to fields, and the no-JS submit."""

from __future__ import annotations

from typing import Any

from tests.unit.web.conftest import Page, error_text, valid_form

FIELDS = (
    "member.first_name", "member.last_name", "member.date_of_birth", "member.member_id",
    "member.group_number", "member.relationship", "member.subscriber.first_name",
    "member.subscriber.last_name", "member.subscriber.date_of_birth", "payer_id",
    "level_of_care", "condition", "contact.phone", "contact.email", "contact.best_time",
    "contact.callback_requested", "consent",
)


def test_the_form_labels_every_field_it_asks_for(visitor: Any) -> None:
    page = Page(visitor.get("/verify").get_data(as_text=True))
    labelled = {a["for"] for a in page.find("label")}
    controls = [a for t, a in page.elements
                if t in ("input", "select") and a.get("type") != "hidden"]
    names = {a["name"] for a in controls if a.get("name")}
    assert set(FIELDS) <= names
    unlabelled = [a for a in controls if a.get("id") not in labelled]
    assert unlabelled == []


def test_the_form_never_asks_for_a_social_security_number(visitor: Any) -> None:
    html = visitor.get("/verify").get_data(as_text=True)
    page = Page(html)
    names = " ".join(str(a.get("name")) for t, a in page.elements if t in ("input", "select"))
    assert "ssn" not in names.lower() and "social" not in names.lower()
    assert "We never ask for your Social Security number." in page.text


def test_gambling_disorder_is_explained_under_mental_health(visitor: Any) -> None:
    page = Page(visitor.get("/verify").get_data(as_text=True))
    assert "For example depression, anxiety, trauma, or gambling disorder." in page.text


def test_the_payer_picker_is_a_plain_select_of_the_directory(visitor: Any) -> None:
    page = Page(visitor.get("/verify").get_data(as_text=True))
    page.one("select", name="payer_id")
    assert "SANDBOX" in [a.get("value") for a in page.find("option")]


def test_a_form_with_errors_comes_back_with_words_next_to_the_fields(visitor: Any) -> None:
    form = valid_form() | {"member.last_name": "", "member.date_of_birth": "2999-01-01"}
    response = visitor.submit(form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_text(html, "member.last_name") == "Please fill this in."
    assert error_text(html, "member.date_of_birth") == "Date of birth cannot be in the future."
    assert error_text(html, "member.first_name") == ""
    page = Page(html)
    assert page.one("input", name="member.first_name")["value"] == "Zelpha"
    summary = page.one("div", id="error-summary")
    assert summary["role"] == "alert" and "autofocus" in summary


def test_a_missing_policyholder_is_explained_at_the_policyholder_fields(visitor: Any) -> None:
    response = visitor.submit(valid_form() | {"member.relationship": "child"})
    assert response.status_code == 422
    assert "policyholder" in error_text(response.get_data(as_text=True), "member.subscriber")


def test_a_form_without_the_csrf_token_is_refused(visitor: Any) -> None:
    visitor.get("/verify")
    response = visitor.post("/verify", data=valid_form())
    assert response.status_code == 400
    assert "expired" in Page(response.get_data(as_text=True)).text


def test_a_form_with_a_wrong_csrf_token_is_refused(visitor: Any) -> None:
    visitor.get("/verify")
    response = visitor.post("/verify", data={"csrf_token": "forged", **valid_form()})
    assert response.status_code == 400


def test_a_good_form_leads_to_its_result_with_the_token_in_a_scoped_cookie(
    visitor: Any,
) -> None:
    response = visitor.submit(valid_form())
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/verify/result/")
    cookie = response.headers["Set-Cookie"]
    token = cookie.split(";")[0].split("=", 1)[1]
    assert token and token not in location
    path = location.split("?")[0]
    for part in ("HttpOnly", "SameSite=Strict", f"Path={path}", "Max-Age="):
        assert part in cookie


def test_the_no_js_result_page_shows_progress_and_refreshes_itself(visitor: Any) -> None:
    location = visitor.submit(valid_form()).headers["Location"]
    response = visitor.get(location)
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert "Checking with your insurance company…" in page.text
    assert page.one("meta", **{"http-equiv": "refresh"})["content"] == "3"


def test_a_result_without_its_cookie_is_not_shown(client: Any, visitor: Any) -> None:
    location = visitor.submit(valid_form()).headers["Location"]
    client.delete_cookie("verifier_status", path=location.split("?")[0])
    response = visitor.get(location)
    assert response.status_code == 404
    assert "no longer available" in Page(response.get_data(as_text=True)).text


def test_the_status_endpoint_answers_the_page_script_by_header_only(
    client: Any, visitor: Any
) -> None:
    submitted = client.post("/api/v1/verifications", json={
        "member": {"first_name": "A", "last_name": "B", "date_of_birth": "1980-01-01",
                   "member_id": "SBX-ACTIVE-1"},
        "payer_id": "SANDBOX", "consent": True}).get_json()
    url = f"/verify/status/{submitted['id']}"
    assert visitor.get(url).status_code == 404
    answered = visitor.get(url, headers={"X-Status-Token": submitted["token"]})
    assert answered.status_code == 200
    assert answered.get_json()["headline"] == "Checking with your insurance company…"


def test_the_visitors_language_is_kept_with_their_verification(visitor: Any, runtime: Any) -> None:
    from verifier.store.models import Verification

    response = visitor.post("/verify?lang=es", data={"csrf_token": visitor.token(), **valid_form()})
    assert response.status_code == 303
    verification_id = response.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    with runtime.db.session() as session:
        assert session.get_one(Verification, verification_id).language == "es"

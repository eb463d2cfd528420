"""The console's pages as a coordinator reads them: grid, phone VOB, triage, authorizations,
call-backs and error pages (real app, real database, sandbox payer through real X12)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from tests.fakes.submissions import URL, valid_body
from tests.unit.staff.conftest import csrf_of
from verifier.staff import triage
from verifier.store.models import Attempt, PhoneVob
from verifier.store.records import ContactRecord
from verifier.verifications.callbacks import request_callback
from verifier.verifications.check import run_check


def letters(n: int = 8) -> str:
    return "".join(chr(ord("A") + int(ch, 16)) for ch in uuid.uuid4().hex[:n])


def text_of(response: Any) -> str:
    """The page's words, tags dropped and spaces folded (what a reader sees)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


@pytest.fixture
def checked(client: Any, runtime: Any) -> Any:
    def make(member_id: str, **member: str) -> str:
        body = valid_body()
        body["member"] |= {
            "member_id": f"{member_id}-{letters()}",
            "last_name": "Quill" + letters(),
        }
        body["member"] |= member
        body["contact"] = {"phone": "555-201-3344", "callback_requested": False}
        verification_id: str = client.post(URL, json=body).get_json()["id"]
        run_check(runtime, verification_id)
        return verification_id

    return make


def grid_row(page: str, label: str) -> str:
    return page.split(label, 1)[1][:120]


def test_a_carve_out_shows_the_administrators_grid_beside_the_plans(
    signed_in: Any, checked: Any
) -> None:
    vid = checked("SBX-CARVEOUT")
    response = signed_in.get(f"/console/verifications/{vid}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Plan's answer" in page
    assert "Carve-out administrator:" in page
    carve = page.split("Carve-out administrator:", 2)[-1]
    # The administrator holds the behavioural-health benefits: the sandbox's active IOP plan.
    assert "Copay $30.00 per visit" in carve or "$30.00" in carve
    assert "Coinsurance (patient share) 20%" in carve
    assert "Visitor saw" in page


def test_visitor_saw_shows_the_language_of_their_form_first(
    signed_in: Any, client: Any, runtime: Any
) -> None:
    body = valid_body()
    body["member"] |= {"member_id": f"SBX-ACTIVE-{letters()}", "last_name": "Quill" + letters()}
    body["language"] = "es"
    vid = client.post(URL, json=body).get_json()["id"]
    run_check(runtime, vid)
    saw = text_of(signed_in.get(f"/console/verifications/{vid}")).split("Visitor saw", 1)[1]
    assert "first the one their form was in" in saw
    assert saw.index("Español the visitor's language") < saw.index("English")


def test_visitor_saw_marks_no_language_when_the_visitor_did_not_say(
    signed_in: Any, checked: Any
) -> None:
    saw = text_of(signed_in.get(f"/console/verifications/{checked('SBX-ACTIVE')}"))
    saw = saw.split("Visitor saw", 1)[1]
    assert "the visitor's language" not in saw
    assert saw.index("English") < saw.index("Español")


def test_an_inactive_member_shows_no_cost(signed_in: Any, checked: Any) -> None:
    vid = checked("SBX-INACTIVE")
    page = text_of(signed_in.get(f"/console/verifications/{vid}"))
    assert "Coverage inactive" in page
    assert "Estimated patient cost: none: coverage is not active" in page
    assert "Plan dates" in page and "2025-12-31" in page


def tier_cells(html: str, key: str) -> list[str]:
    row = re.search(rf'data-key="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert row is not None, key
    found = re.findall(r'data-tier="[a-z_]+">\s*<span class="[a-z]+">([^<]*)</span>', row.group(1))
    return [unescape(cell) for cell in found]


def test_a_plan_priced_by_place_shows_each_place_and_both_date_spans(
    signed_in: Any, checked: Any
) -> None:
    vid = checked("SBX-PLACES")
    html = signed_in.get(f"/console/verifications/{vid}").get_data(as_text=True)
    assert tier_cells(html, "place_of_service.22") == ["copay $50.00 per visit", "coinsurance 40%"]
    assert tier_cells(html, "place_of_service.11")[0] == "copay $30.00 per visit"
    assert tier_cells(html, "place_of_service.02")[0] == "copay $0.00 per visit"
    page = text_of(signed_in.get(f"/console/verifications/{vid}"))
    year = dt.date.today().year
    assert f"Plan dates {year}-01-01 to {year}-12-31" in page
    assert f"Member eligible {year}-03-01 to open" in page
    assert "Outpatient hospital, on campus (22)" in page


def test_out_of_network_benefits_are_read_beside_in_network(signed_in: Any, checked: Any) -> None:
    vid = checked("SBX-OON")
    html = signed_in.get(f"/console/verifications/{vid}").get_data(as_text=True)
    assert tier_cells(html, "covered") == ["not covered", "covered"]
    assert tier_cells(html, "coinsurance")[1] == "50%"


def test_a_phone_vob_with_dollar_and_percent_signs_lands_in_the_grid_sealed(
    signed_in: Any, checked: Any, runtime: Any
) -> None:
    vid = checked("SBX-ACTIVE")
    csrf = csrf_of(signed_in.get(f"/console/verifications/{vid}"))
    rep = "Marisol" + letters(4)
    response = signed_in.post(
        f"/console/verifications/{vid}/manual",
        data={
            "csrf_token": csrf,
            "rep_name": rep,
            "reference_number": "CALL-" + letters(5),
            "phone_line": "1-800-555-0100 opt 3",
            "level_of_care": "iop",
            "coverage_status": "active",
            "in_network_copay": "$250",
            "in_network_coinsurance": "20%",
            "in_network_deductible_total": "1,500",
        },
    )
    assert response.status_code == 302
    page = text_of(signed_in.get(f"/console/verifications/{vid}"))
    assert "Plan's answer (phone VOB)" in page
    assert "Copay $250.00" in page
    assert "Coinsurance (patient share) 20%" in page
    assert "Deductible, individual $1,500.00" in page
    assert f"rep {rep}" in page and "line 1-800-555-0100 opt 3" in page
    # The electronic answer said a $30 copay: the difference is flagged with both values.
    assert "Phone VOB differs from the electronic answer" in page
    assert "Copay, in network $250.00 $30.00 per visit" in page
    with runtime.db.session() as session:
        stored = session.execute(
            select(Attempt.summary).where(
                Attempt.verification_id == vid, Attempt.adapter == "manual"
            )
        ).scalar_one()
        sealed = session.execute(
            select(PhoneVob.record_enc).where(PhoneVob.verification_id == vid)
        ).scalar_one()
    assert rep not in repr(stored) and rep not in sealed


def test_a_refused_phone_vob_comes_back_with_the_message_next_to_the_field_and_the_form_kept(
    signed_in: Any, checked: Any
) -> None:
    vid = checked("SBX-ACTIVE")
    csrf = csrf_of(signed_in.get(f"/console/verifications/{vid}"))
    response = signed_in.post(
        f"/console/verifications/{vid}/manual",
        data={
            "csrf_token": csrf,
            "rep_name": "Dana",
            "reference_number": "R-77",
            "level_of_care": "iop",
            "coverage_status": "active",
            "in_network_copay": "twenty-five",
            "in_network_coinsurance": "150%",
        },
    )
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    field = re.search(
        r'id="m-in_network_copay"[^>]*>\s*<span class="field-error"[^>]*>([^<]+)', html
    )
    assert field is not None and "Enter dollars like 250" in field.group(1)
    assert 'value="twenty-five"' in html and 'value="R-77"' in html
    assert "A patient share cannot be more than 100%." in html
    assert "<details open>" in html.replace("\n", "")  # the form is open, not folded away


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("/console/verifications/" + "0" * 32, 404, "Not found"),
        ("/console/nowhere", 404, "Not found"),
    ],
)
def test_console_errors_are_pages_in_the_console_layout(
    signed_in: Any, path: str, code: int, words: str
) -> None:
    response = signed_in.get(path)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    page = text_of(response)
    assert words in page and "Back to the work queue" in page and "Sign out" in page


def test_an_expired_form_is_a_403_page_not_json(signed_in: Any, checked: Any) -> None:
    vid = checked("SBX-ACTIVE")
    response = signed_in.post(f"/console/verifications/{vid}/review", data={"csrf_token": "x"})
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "The form expired; reload the page and try again." in text_of(response)


def test_a_rerun_conflict_is_a_409_page(signed_in: Any, client: Any) -> None:
    body = valid_body()
    body["member"] |= {"member_id": "SBX-ACTIVE-" + letters()}
    vid = client.post(URL, json=body).get_json()["id"]  # queued, not run
    csrf = csrf_of(signed_in.get(f"/console/verifications/{vid}"))
    response = signed_in.post(
        f"/console/verifications/{vid}/rerun", data={"csrf_token": csrf, "level_of_care": "php"}
    )
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert "Changed meanwhile" in text_of(response)


def test_the_default_queue_shows_what_needs_a_person_not_every_active_check(
    signed_in: Any, checked: Any, runtime: Any
) -> None:
    active, carve, missing = checked("SBX-ACTIVE"), checked("SBX-CARVEOUT"), checked("SBX-NOTFOUND")
    needs = triage.search(runtime, triage.TriageQuery(per_page=200, descending=False))
    shown = {item["id"]: item for item in needs["items"]}
    assert active not in shown
    assert shown[carve]["carve_out"] is True  # shown because carved out, whatever its outcome
    assert shown[missing]["outcome"] == "not found"
    everything = triage.search(
        runtime, triage.TriageQuery(view="all", per_page=200, descending=False)
    )
    listed = {item["id"]: item for item in everything["items"]}
    assert listed[active]["outcome"] == "active" and listed[active]["visits_left"] == 18
    assert listed[active]["network"] == "in_network"


def test_queue_filters_count_and_page_on_the_server(
    signed_in: Any, checked: Any, runtime: Any
) -> None:
    for _ in range(3):
        checked("SBX-INACTIVE")
    query = triage.TriageQuery(view="all", outcome="inactive", per_page=2)
    first = triage.search(runtime, query)
    assert first["total"] >= 3 and len(first["items"]) == 2
    assert first["by_outcome"]["inactive"] == first["total"]
    assert first["by_outcome"]["active"] == 0
    assert all(item["outcome"] == "inactive" for item in first["items"])
    second = triage.search(runtime, query.with_page(2))
    assert {i["id"] for i in second["items"]}.isdisjoint({i["id"] for i in first["items"]})
    page = text_of(signed_in.get("/console?view=all&outcome=inactive"))
    assert f"{first['total']} verifications" in page and "inactive" in page
    assert "Page 1 of" in page


def test_an_authorization_raises_the_80_percent_alert_in_the_queue_and_the_export(
    client: Any, bearer: Any, checked: Any, runtime: Any
) -> None:
    vid = checked("SBX-ACTIVE")
    today = dt.date.today()
    added = client.post(
        f"/api/v1/verifications/{vid}/authorizations",
        json={
            "level_of_care": "iop",
            "number": "AUTH-" + letters(5),
            "contact": "UM line 800-555-0142",
            "status": "approved",
            "unit": "sessions",
            "approved_units": 10,
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=60)).isoformat(),
        },
        headers=bearer,
    )
    assert added.status_code == 201, added.get_json()
    auth = added.get_json()
    assert auth["remaining_units"] == 10 and auth["alerts"] == []
    used = client.patch(
        f"/api/v1/verifications/{vid}/authorizations/{auth['id']}",
        json={"add_units": 8},
        headers=bearer,
    )
    assert used.status_code == 200
    assert used.get_json()["alerts"] == ["8 of 10 units used (80%)"]
    assert used.get_json()["remaining_units"] == 2
    queued = triage.search(
        runtime, triage.TriageQuery(auth_alert=True, per_page=200, descending=False)
    )
    item = next(i for i in queued["items"] if i["id"] == vid)
    assert item["auth_alerts"] == ["iop: 8 of 10 units used (80%)"]
    export = client.get("/api/v1/verifications/export.csv", headers=bearer)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export.get_data(as_text=True)))}
    assert rows[vid]["authorization_used"] == "8"
    assert rows[vid]["authorization_alerts"] == "8 of 10 units used (80%)"


def test_an_authorization_ending_within_7_days_is_an_alert(
    client: Any, bearer: Any, checked: Any
) -> None:
    vid = checked("SBX-ACTIVE")
    end = dt.date.today() + dt.timedelta(days=5)
    added = client.post(
        f"/api/v1/verifications/{vid}/authorizations",
        json={
            "level_of_care": "iop",
            "status": "approved",
            "approved_units": 20,
            "end_date": end.isoformat(),
        },
        headers=bearer,
    )
    assert added.get_json()["alerts"] == [f"ends in 5 days ({end.isoformat()})"]


def test_an_authorization_with_a_bad_field_is_a_422_with_the_field(
    client: Any, bearer: Any, checked: Any
) -> None:
    vid = checked("SBX-ACTIVE")
    response = client.post(
        f"/api/v1/verifications/{vid}/authorizations",
        json={"level_of_care": "iop", "status": "approved", "approved_units": "ten"},
        headers=bearer,
    )
    assert response.status_code == 422
    assert "approved_units" in response.get_json()["errors"]


def test_the_openapi_document_covers_authorizations(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/verifications/{verification_id}/authorizations"])
    assert (
        "patch"
        in paths["/api/v1/verifications/{verification_id}/authorizations/{authorization_id}"]
    )


def test_a_call_back_from_a_result_page_opens_its_verification_and_records_who_reached_them(
    signed_in: Any, checked: Any, runtime: Any, coordinator: Any
) -> None:
    vid = checked("SBX-ACTIVE")
    request_id = request_callback(
        runtime,
        ContactRecord(phone="555-201-7788", best_time="after 5pm", callback_requested=True),
        name="Odalys Brenner",
        verification_id=vid,
    )
    listing = signed_in.get("/console/callbacks")
    assert f"/console/verifications/{vid}" in listing.get_data(as_text=True)
    page = text_of(signed_in.get(f"/console/verifications/{vid}"))
    assert "Odalys Brenner · 555-201-7788 · no email · best time: after 5pm" in page
    csrf = csrf_of(listing)
    done = signed_in.post(
        f"/console/callbacks/{request_id}",
        data={"csrf_token": csrf, "status": "reached", "kind": "callback", "back": vid},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/{vid}#callbacks")
    page = text_of(signed_in.get(f"/console/verifications/{vid}"))
    assert f"reached by {coordinator.email} at" in page


def test_a_call_back_asked_on_a_spanish_result_page_is_listed_in_spanish(
    signed_in: Any, client: Any, runtime: Any
) -> None:
    body = valid_body()
    body["member"] |= {"member_id": f"SBX-ACTIVE-{letters()}", "last_name": "Quill" + letters()}
    body.pop("contact", None)
    submitted = client.post(URL, json=body).get_json()  # the API, language not said
    run_check(runtime, submitted["id"])
    asked = client.post(
        f"/verify/result/{submitted['id']}/callback?lang=es",
        json={"phone": "555-201-9911", "best_time": "evening"},
        headers={"X-Status-Token": submitted["token"]},
    )
    assert asked.status_code == 201
    html = signed_in.get("/console/callbacks").get_data(as_text=True)
    row = html.split(f'id="cb-row-{submitted["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>Español</td>" in row


def test_the_api_takes_a_phone_vob_as_typed_and_answers_with_its_differences(
    client: Any, bearer: Any, checked: Any
) -> None:
    vid = checked("SBX-ACTIVE")
    response = client.post(
        f"/api/v1/verifications/{vid}/manual",
        json={
            "reference_number": "REF-4411",
            "rep_name": "Dana",
            "called_at": "2026-12-01T15:30:00Z",
            "phone_line": "800-555-0100",
            "level_of_care": "iop",
            "coverage_status": "active",
            "in_network_copay": "$30",
            "in_network_coinsurance": "25%",
            "visits_allowed": 30,
            "visits_used": 12,
        },
        headers=bearer,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["differences"] == [
        {
            "field": "in_network.coinsurance",
            "label": "Coinsurance (patient share), in network",
            "phone": "25%",
            "electronic": "20%",
        },
        {  # the payer's 271 gives allowed and remaining, not used
            "field": "visit_limit.used",
            "label": "Visits or days used",
            "phone": "12",
            "electronic": "not reported",
        },
    ]
    vobs = client.get(f"/api/v1/verifications/{vid}/phone-vobs", headers=bearer).get_json()
    assert vobs[0]["rep_name"] == "Dana" and vobs[0]["called_at"] == "2026-12-01T15:30:00+00:00"
    assert vobs[0]["typed"]["in_network_coinsurance"] == "25%"


def test_authorization_reads_and_writes_are_audited(
    client: Any, bearer: Any, checked: Any, runtime: Any
) -> None:
    from sqlalchemy import func

    from verifier.store.models import AuditEvent

    def rows(action: str) -> int:
        with runtime.db.session() as session:
            return int(
                session.execute(
                    select(func.count()).where(AuditEvent.action == action)
                ).scalar_one()
            )

    vid = checked("SBX-ACTIVE")
    before = {a: rows(a) for a in ("authorization_add", "authorization_update", "view")}
    added = client.post(
        f"/api/v1/verifications/{vid}/authorizations",
        json={"level_of_care": "iop", "status": "requested"},
        headers=bearer,
    ).get_json()
    client.patch(
        f"/api/v1/verifications/{vid}/authorizations/{added['id']}",
        json={"status": "denied"},
        headers=bearer,
    )
    listed = client.get(f"/api/v1/verifications/{vid}/authorizations", headers=bearer).get_json()
    assert [a["status"] for a in listed] == ["denied"]
    assert rows("authorization_add") == before["authorization_add"] + 1
    assert rows("authorization_update") == before["authorization_update"] + 1
    assert rows("view") == before["view"] + 1


def test_one_call_back_that_will_not_open_does_not_take_the_pages_down(
    signed_in: Any, checked: Any, runtime: Any
) -> None:
    from sqlalchemy import update

    from verifier.store.models import CallbackRequest

    vid = checked("SBX-ACTIVE")
    broken = request_callback(runtime, ContactRecord(phone="555-0100"), verification_id=vid)
    with runtime.db.session() as session:
        session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id == broken)
            .values(contact_enc="not-a-sealed-value")
        )
    listing = signed_in.get("/console/callbacks")
    assert listing.status_code == 200 and "(unreadable)" in text_of(listing)
    detail = signed_in.get(f"/console/verifications/{vid}")
    assert detail.status_code == 200 and "(unreadable)" in text_of(detail)


def test_a_paper_consent_recorded_on_the_page_lets_a_staff_part2_check_run(
    signed_in: Any, client: Any, runtime: Any
) -> None:
    from tests.unit.part2.test_signed import staff_part2_row

    vid = staff_part2_row(runtime)
    url = f"/console/verifications/{vid}"
    first = signed_in.get(url)
    assert "Record a consent the patient signed on paper" in text_of(first)
    refused = signed_in.post(f"{url}/part2/consent", data={
        "csrf_token": csrf_of(first), "signature": "Ana Ruiz",
        "signed_on": dt.date.today().isoformat(),
    })
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="p2-confirm-error">Confirm the signed copy is kept' in html
    assert 'value="Ana Ruiz"' in html  # the form kept
    done = signed_in.post(f"{url}/part2/consent", data={
        "csrf_token": csrf_of(refused), "signature": "Ana Ruiz",
        "signed_on": dt.date.today().isoformat(), "confirm": "yes",
    })
    assert done.status_code == 302
    page = text_of(signed_in.get(url))
    assert "on paper, recorded by" in page
    assert "Record a consent the patient signed on paper" not in page
    signed_in.post(f"{url}/rerun", data={"csrf_token": csrf_of(signed_in.get(url))})
    assert run_check(runtime, vid) == "completed"

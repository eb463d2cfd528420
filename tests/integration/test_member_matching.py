"""The member-matching ladder through the real check, against the sandbox payer.

Each case submits through the API, runs the check in-process on a real database and Redis
(the sandbox adapter behind the same resilience wrapper as any payer), then reads what each
audience is shown: the attempt rows and the console for staff, the status view for the
visitor. The sandbox's scenarios are in README's table (SBX-PREFIX, SBX-SUFFIX, SBX-OWNID,
SBX-DOBSWAP, SBX-WRONGDOB).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.fakes.submissions import valid_body
from tests.unit.staff.conftest import make_account, sign_in
from verifier.metrics import database_families, read_database
from verifier.staff import work
from verifier.store.models import Attempt, Verification
from verifier.verifications.check import run_check
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.matching import STEPS
from verifier.verifications.retry import RetryScheduled
from verifier.verifications.visitor import visitor_view
from verifier.x12.inquiry import read_270

FACILITY = Path(__file__).resolve().parents[2] / "config" / "facility.toml"


@pytest.fixture
def facility_with(tmp_path: Path) -> Callable[..., Path]:
    """config/facility.toml with some of its [matching] lines changed."""

    def write(**lines: str) -> Path:
        text = FACILITY.read_text()
        for key, value in lines.items():
            start = text.index(f"\n{key} = ") + 1
            end = text.index("\n", start)
            text = text[:start] + f"{key} = {value}" + text[end:]
        path = tmp_path / "facility.toml"
        path.write_text(text)
        return path

    return write


@pytest.fixture
def application(inline_settings: Settings, make_app: Callable[[Settings], Any]) -> Any:
    return make_app(inline_settings)


@dataclasses.dataclass
class Checked:
    id: str
    token: str
    row: Verification
    attempts: list[Attempt]  # oldest first
    runtime: Any

    def visitor(self) -> dict[str, Any]:
        view = visitor_view(self.runtime, self.id, self.token)
        assert view is not None
        return view

    def sent(self) -> list[Any]:
        """The 270s the payer received, as staff read them (sealed on each attempt)."""
        detail = work.detail(self.runtime, self.id)
        return [read_270(a["request"]) for a in reversed(detail["attempts"]) if a["request"]]


def check(app: Any, member_id: str, payer_id: str = "SANDBOX", **member: Any) -> Checked:
    body = valid_body()
    body["payer_id"] = payer_id
    body["member"].update(member_id=member_id, **member)
    response = app.test_client().post("/api/v1/verifications", json=body)
    assert response.status_code == 202, response.get_data(as_text=True)
    submitted = response.get_json()
    runtime = app.extensions["verifier"]
    with contextlib.suppress(RetryScheduled):
        run_check(runtime, submitted["id"])
    with runtime.db.session() as session:
        row = session.get(Verification, submitted["id"])
        assert row is not None
        attempts = sorted(row.attempts, key=lambda a: a.id)
        session.expunge_all()
    return Checked(submitted["id"], submitted["token"], row, attempts, runtime)


def test_an_id_typed_with_a_blue_prefix_matches_without_it(application: Any) -> None:
    done = check(application, "XYZSBX-PREFIX-1", payer_id="SANDBOX-BLUE")
    assert done.row.status == "completed"
    assert done.row.summary["matching"]["said"] == (
        "matched after correcting: member id without its alpha prefix"
    )
    assert [(a.correction, a.outcome) for a in done.attempts] == [
        (None, "rejected"),
        ("member_id_format", "rejected"),
        ("member_id_prefix", "completed"),
    ]
    assert done.attempts[0].error_codes == ["72"]
    assert done.sent()[-1].subscriber.member_id == "SBX-PREFIX-1"


def test_a_plan_that_is_not_blue_never_loses_a_prefix(application: Any) -> None:
    done = check(application, "XYZSBX-PREFIX-1")
    assert (done.row.status, done.row.reason) == ("failed", "invalid_input")
    assert "member_id_prefix" not in {a.correction for a in done.attempts}


def test_a_last_name_typed_with_a_suffix_matches_without_it(application: Any) -> None:
    done = check(application, "SBX-SUFFIX-1", last_name="Quintavius Jr.")
    assert done.row.status == "completed"
    assert done.row.summary["matching"]["corrected"] == "last name without suffix"
    assert done.sent()[-1].subscriber.last_name == "QUINTAVIUS"


def test_a_dependent_the_plan_enrolled_as_subscriber_matches_as_subscriber(
    application: Any,
) -> None:
    policyholder = {"first_name": "Orla", "last_name": "Quintavius", "date_of_birth": "1960-01-02"}
    done = check(application, "SBX-OWNID-1", relationship="child", subscriber=policyholder)
    assert done.row.status == "completed"
    assert done.row.summary["matching"]["step"] == "as_subscriber"
    first, last = done.sent()[0], done.sent()[-1]
    assert first.dependent is not None and first.subscriber.first_name == "ORLA"
    assert last.dependent is None and last.subscriber.first_name == "ZELPHA"
    assert last.subscriber.member_id == "SBX-OWNID-1"


def test_a_day_and_month_swapped_on_file_match_after_the_payer_says_71(
    application: Any,
) -> None:
    done = check(application, "SBX-DOBSWAP-1", date_of_birth="1988-12-04")
    assert done.row.status == "completed"
    assert done.row.summary["matching"]["step"] == "dob_transposed"
    assert [str(s.subscriber.date_of_birth) for s in done.sent()] == ["1988-12-04", "1988-04-12"]


def test_a_wrong_date_of_birth_stays_not_found_and_is_never_guessed(application: Any) -> None:
    done = check(application, "SBX-WRONGDOB-1", date_of_birth="1988-12-04")
    assert (done.row.status, done.row.reason) == ("failed", "invalid_input")
    sent = {str(s.subscriber.date_of_birth) for s in done.sent()}
    assert sent == {"1988-12-04", "1988-04-12"}  # typed, and its only other reading
    assert len(done.attempts) == 2


def test_a_date_with_one_reading_is_sent_once_only(application: Any) -> None:
    done = check(application, "SBX-WRONGDOB-1", date_of_birth="1988-12-24")
    assert (done.row.status, len(done.attempts)) == ("failed", 1)


def test_not_found_spends_at_most_the_budget_then_fails_as_before(application: Any) -> None:
    done = check(application, "SBX-NOTFOUND-1", last_name="Quintavius Jr")
    assert (done.row.status, done.row.reason) == ("failed", "member_not_found")
    assert len(done.attempts) == 4  # the check's own call and 3 extra
    assert all(a.outcome == "rejected" for a in done.attempts)
    assert {a.number for a in done.attempts} == {1}
    assert len({a.trace_number for a in done.attempts}) == 4


def test_the_facility_budget_and_switches_are_obeyed(
    inline_settings: Settings, make_app: Callable[[Settings], Any], facility_with: Any
) -> None:
    path = facility_with(max_extra_calls="1", name_suffix="false")
    app = make_app(dataclasses.replace(inline_settings, facility_file=path))
    done = check(app, "SBX-SUFFIX-1", last_name="Quintavius Jr.")
    assert done.row.status == "failed"
    assert [a.correction for a in done.attempts] == [None, "name_punctuation"]


def test_the_ladder_switched_off_is_the_old_behaviour(
    inline_settings: Settings, make_app: Callable[[Settings], Any], facility_with: Any
) -> None:
    path = facility_with(enabled="false")
    app = make_app(dataclasses.replace(inline_settings, facility_file=path))
    done = check(app, "SBX-SUFFIX-1", last_name="Quintavius Jr.")
    assert (done.row.status, len(done.attempts)) == ("failed", 1)


def test_the_visitor_sees_the_result_and_is_asked_to_confirm_the_card(application: Any) -> None:
    done = check(application, "SBX-SUFFIX-1", last_name="Quintavius Jr.")
    words = done.visitor()["summary"]["plain_text_by_language"]
    assert "Good news: your insurance coverage is active." in words["en"]
    assert "Please confirm the details on your insurance card with our coordinator." in words["en"]
    assert "confirme los datos de su tarjeta de seguro con nuestro coordinador" in words["es"]
    assert "JR" not in words["en"].upper().split()  # nothing typed, nothing corrected, shown


def test_a_visitor_nothing_matched_is_told_what_to_check_in_both_languages(
    application: Any,
) -> None:
    done = check(application, "SBX-NOTFOUND-1")
    words = done.visitor()["summary"]["plain_text_by_language"]
    for line in (
        "The member ID, exactly as printed on the card, with any letters at the start.",
        "The name, spelled exactly as on the card.",
        "The date of birth (month, day and year).",
        "Whether you are the policyholder, or covered under someone else's plan.",
    ):
        assert line in words["en"]
    assert (
        "El número de miembro, tal como aparece en la tarjeta, con las letras del principio "
        "si las tiene."
    ) in words["es"]
    assert "Si usted es el titular de la póliza" in words["es"]


def test_a_date_of_birth_the_payer_refused_is_named_first(application: Any) -> None:
    done = check(application, "SBX-WRONGDOB-1", date_of_birth="1988-12-24")
    lines = done.visitor()["summary"]["plain_text"].splitlines()
    assert lines[lines.index("Please compare these with your insurance card:") + 1] == (
        "The date of birth (month, day and year)."
    )


def test_staff_see_every_attempt_and_what_matched_in_the_console(application: Any) -> None:
    done = check(application, "XYZSBX-PREFIX-1", payer_id="SANDBOX-BLUE")
    runtime = application.extensions["verifier"]
    client = application.test_client()
    sign_in(client, make_account(runtime, "coordinator"))
    page = client.get(f"/console/verifications/{done.id}").get_data(as_text=True)
    assert "matched after correcting: member id without its alpha prefix" in page
    assert "tried member id without dashes" in page
    assert "tried member id without its alpha prefix" in page
    assert page.count('class="attempt"') == 3


def test_metrics_count_matches_per_step(application: Any) -> None:
    check(application, "SBX-SUFFIX-1", last_name="Quintavius Jr.")
    runtime = application.extensions["verifier"]
    families = {f.name: f for f in database_families(read_database(runtime, utcnow()), 0.0)}
    samples = families["verifier_member_matches_last_hour"].samples
    matches = {sample.labels["step"]: sample.value for sample in samples}
    assert matches["name_suffix"] >= 1
    assert set(matches) == set(STEPS)  # every step has a series, zero until it matches
    tried = families["verifier_member_matching_attempts_last_hour"].samples
    assert ("name_suffix", "completed") in {(s.labels["step"], s.labels["outcome"]) for s in tried}


def test_the_visitor_page_says_what_to_check_in_spanish(application: Any) -> None:
    done = check(application, "SBX-NOTFOUND-1")
    response = application.test_client().get(
        f"/verify/status/{done.id}?lang=es", headers={"X-Status-Token": done.token}
    )
    page = response.get_json()
    assert page["headline"] == "Todavía no encontramos su cobertura"
    assert "Por favor compare estos datos con su tarjeta de seguro:" in page["words"]
    assert "La fecha de nacimiento (mes, día y año)." in page["words"]
    assert page["try_again"] is True


def test_the_visitor_page_of_a_corrected_match_asks_to_confirm_the_card(application: Any) -> None:
    done = check(application, "XYZSBX-PREFIX-1", payer_id="SANDBOX-BLUE")
    response = application.test_client().get(
        f"/verify/status/{done.id}", headers={"X-Status-Token": done.token}
    )
    page = response.get_json()
    assert page["headline"] == "Your results"
    assert any("confirm the details on your insurance card" in line for line in page["words"])
    assert not any("alpha prefix" in line or "SBX" in line for line in page["words"])


def test_a_corrected_match_asks_the_carve_out_administrator_with_the_correction(
    application: Any,
) -> None:
    done = check(application, "XYZSBX-CARVEOUT-1", payer_id="SANDBOX-BLUE")
    assert done.row.summary["carve_out"]["payer_id"] == "SANDBOX-BH"
    assert done.sent()[-1].subscriber.member_id == "SBX-CARVEOUT-1"  # the administrator's 270
    words = done.visitor()["summary"]["plain_text"]
    assert "Please confirm the details on your insurance card with our coordinator." in words

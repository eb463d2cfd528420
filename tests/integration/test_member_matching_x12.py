"""The member-matching ladder against a real x12_http payer on loopback.

The fake payer (tests/fakes/member_roster.py) searches its member file the way the TR3 says
a payer does; every variant crosses real HTTP through the x12_http adapter and the resilience
layer, so the payer's rate limit (a Redis token bucket shared by every check and worker)
spaces the ladder's calls like anyone else's, and a limit that cannot be met in time stops it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.fakes import x12_responses as x12
from tests.fakes.member_roster import Enrolled, roster
from tests.fakes.payer_server import Captured, FakePayer
from tests.fakes.submissions import valid_body
from verifier.store.models import Attempt, Verification
from verifier.verifications.check import run_check
from verifier.verifications.retry import RetryScheduled

MEMBERS = (
    Enrolled("W100200300", "ROBERT", "QUINTAVIUS", dt.date(1988, 4, 12)),
    Enrolled(
        "W555000111",
        "ORLA",
        "QUINTAVIUS",
        dt.date(1960, 1, 2),
        dependents=(Enrolled("", "ZELPHA", "QUINTAVIUS", dt.date(2008, 6, 7)),),
    ),
)
DIRECTORY = """
[payers.PLAIN{suffix}]
name = "Fake Direct Plan"
adapter = "x12_http"
endpoint = "{url}/plain"
timeout = 2.0
capabilities = {{ real_time = true, multiple_service_types = true }}

[payers.NAMEDOB{suffix}]
name = "Fake Plan With Name Search"
adapter = "x12_http"
endpoint = "{url}/namedob"
timeout = 2.0
capabilities = {{ real_time = true, multiple_service_types = true, name_dob_search = true }}

[payers.IDDOB{suffix}]
name = "Fake Plan With Member Id Search"
adapter = "x12_http"
endpoint = "{url}/iddob"
timeout = 2.0
capabilities = {{ real_time = true, multiple_service_types = true, id_dob_search = true }}

[payers.LIMITED{suffix}]
name = "Fake Rate-Limited Plan"
adapter = "x12_http"
endpoint = "{url}/limited"
timeout = 2.0
rate_limit = 2
capabilities = {{ real_time = true, multiple_service_types = true }}

[payers.SLOWLIMIT{suffix}]
name = "Fake Plan With A Tight Limit"
adapter = "x12_http"
endpoint = "{url}/slowlimit"
timeout = 0.5
rate_limit = 0.2
options = {{ attempt_budget = 0.8 }}
capabilities = {{ real_time = true, multiple_service_types = true }}
"""


class Arrivals:
    """When each 270 reached the payer (monotonic seconds)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.lock = threading.Lock()

    def answering(self, answer: Callable[[Captured], Any]) -> Callable[[Captured], Any]:
        def reply(captured: Captured) -> Any:
            with self.lock:
                self.times.append(time.monotonic())
            return answer(captured)

        return reply


@pytest.fixture
def arrivals() -> Arrivals:
    return Arrivals()


@pytest.fixture
def payer(arrivals: Arrivals) -> Iterator[FakePayer]:
    with FakePayer() as server:
        server.on("/plain", x12.Reply(body=x12.answer(roster(MEMBERS))))
        server.on("/namedob", x12.Reply(body=x12.answer(roster(MEMBERS, name_dob_search=True))))
        server.on("/iddob", x12.Reply(body=x12.answer(roster(MEMBERS, id_dob_search=True))))
        server.on("/limited", x12.Reply(body=arrivals.answering(x12.answer(roster(MEMBERS)))))
        server.on("/slowlimit", x12.Reply(body=x12.answer(roster(MEMBERS))))
        yield server


@pytest.fixture
def app(
    inline_settings: Settings,
    make_app: Callable[[Settings], Any],
    payer: FakePayer,
    tmp_path: Path,
) -> Any:
    suffix = uuid.uuid4().hex[:6].upper()
    payers = tmp_path / "payers.toml"
    payers.write_text(DIRECTORY.format(suffix=suffix, url=payer.url))
    application = make_app(dataclasses.replace(inline_settings, payers_file=payers))
    application.payer_suffix = suffix
    return application


def submit(app: Any, payer_id: str, **member: Any) -> str:
    body = valid_body()
    body["payer_id"] = payer_id + app.payer_suffix
    body["member"].update(member)
    response = app.test_client().post("/api/v1/verifications", json=body)
    assert response.status_code == 202, response.get_data(as_text=True)
    return str(response.get_json()["id"])


def run(app: Any, verification_id: str) -> tuple[Verification, list[Attempt]]:
    runtime = app.extensions["verifier"]
    with contextlib.suppress(RetryScheduled):
        run_check(runtime, verification_id)
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        assert row is not None
        attempts = sorted(row.attempts, key=lambda a: a.id)
        session.expunge_all()
    return row, attempts


def check(app: Any, payer_id: str, **member: Any) -> tuple[Verification, list[Attempt]]:
    return run(app, submit(app, payer_id, **member))


ROBERT = {"member_id": "W100200300", "first_name": "Bob", "last_name": "Quintavius"}


def test_a_nickname_matches_by_member_id_dob_and_last_name(app: Any, payer: FakePayer) -> None:
    row, attempts = check(app, "PLAIN", **ROBERT)
    assert row.status == "completed"
    assert row.summary["matching"]["step"] == "alternate_id_dob_last"
    assert [a.correction for a in attempts] == [None, "alternate_id_dob_last"]
    sent = payer.calls("/plain")[-1].text
    assert "NM1*IL*1*QUINTAVIUS*****MI*W100200300" in sent  # NM104 first name left out


def test_name_and_dob_search_is_used_only_where_the_payer_offers_it(
    app: Any, payer: FakePayer
) -> None:
    wrong_id = ROBERT | {"member_id": "W999", "first_name": "Robert"}
    row, attempts = check(app, "NAMEDOB", **wrong_id)
    assert row.status == "completed"
    assert row.summary["matching"]["corrected"] == (
        "searched by name and date of birth, without member id"
    )
    row, attempts = check(app, "PLAIN", **wrong_id)
    assert (row.status, row.reason) == ("failed", "member_not_found")
    assert "alternate_name_dob" not in {a.correction for a in attempts}


def test_member_id_and_dob_without_a_name_is_tried_only_where_the_payer_offers_it(
    app: Any, payer: FakePayer
) -> None:
    """A surname the plan does not have on file (a married name, say): no name variant can
    find it; a payer that searches by member id and date of birth alone can."""
    renamed = ROBERT | {"first_name": "Robert", "last_name": "Ashgrove"}
    row, attempts = check(app, "IDDOB", **renamed)
    assert row.status == "completed"
    assert row.summary["matching"]["corrected"] == (
        "searched by member id and date of birth, without a name"
    )
    assert [a.correction for a in attempts][-1] == "alternate_id_dob"
    assert "NM1*IL*1******MI*W100200300" in payer.calls("/iddob")[-1].text
    row, attempts = check(app, "PLAIN", **renamed)
    assert row.status == "failed"
    assert "alternate_id_dob" not in {a.correction for a in attempts}
    assert all("NM1*IL*1******" not in c.text for c in payer.calls("/plain"))


def test_a_child_is_found_under_the_policyholder_before_anything_else(app: Any) -> None:
    child = {
        "member_id": "W555000111",
        "first_name": "Zelpha",
        "last_name": "Quintavius",
        "date_of_birth": "2008-06-07",
        "relationship": "child",
        "subscriber": {
            "first_name": "Orla",
            "last_name": "Quintavius",
            "date_of_birth": "1960-01-02",
        },
    }
    row, attempts = check(app, "PLAIN", **child)
    assert row.status == "completed" and "matching" not in row.summary
    assert len(attempts) == 1


def test_a_wrong_dob_is_never_guessed_past_its_one_swap(app: Any, payer: FakePayer) -> None:
    typed = ROBERT | {"first_name": "Robert", "date_of_birth": "1988-04-11"}
    row, attempts = check(app, "PLAIN", **typed)
    assert (row.status, row.reason) == ("failed", "invalid_input")
    sent = [c.text for c in payer.calls("/plain")]
    assert [("DMG*D8*19880411" in s, "DMG*D8*19881104" in s) for s in sent] == [
        (True, False),
        (False, True),
    ]
    assert [a.error_codes for a in attempts] == [["71"], ["71"]]


def test_the_ladders_calls_share_the_payers_rate_limit_with_other_checks(
    app: Any, arrivals: Arrivals
) -> None:
    """rate_limit = 2/s (bucket of 2): two nickname checks at once make 4 calls, and the
    last cannot arrive before (4 - 2) / 2 = 1 s after the first."""
    ids = [submit(app, "LIMITED", **ROBERT) for _ in range(2)]
    threads = [threading.Thread(target=run, args=(app, vid)) for vid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(arrivals.times) == 4
    assert max(arrivals.times) - min(arrivals.times) >= 0.9
    for vid in ids:
        with app.extensions["verifier"].db.session() as session:
            assert session.get(Verification, vid).status == "completed"


def test_a_rate_limit_that_cannot_be_met_in_time_stops_the_ladder(
    app: Any, payer: FakePayer
) -> None:
    row, attempts = check(app, "SLOWLIMIT", **ROBERT)
    assert (row.status, row.reason) == ("failed", "invalid_input")
    assert [(a.correction, a.outcome) for a in attempts] == [
        (None, "rejected"),
        ("alternate_id_dob_last", "unavailable"),
    ]
    assert attempts[1].reason == "payer_unavailable"
    assert payer.count("/slowlimit") == 1

"""``flask payers import`` and ``flask payers ping`` on a payers file with a connection."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.fakes.stedi import API_KEY, BASE, StediFake

LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "payer_lists"


def payers_toml(endpoint: str) -> str:
    return f"""
[connections.stedi]
kind = "stedi"
endpoint = "{endpoint}"
credentials = {{ api_key = "VT_PING_STEDI_KEY" }}

[payers.SANDBOX]
name = "Sandbox Health Plan"
adapter = "sandbox"

[payers.95655]
name = "Trinity Health Plan (ours)"
connection = "stedi"
in_network = true
"""


@pytest.fixture
def stedi() -> Iterator[StediFake]:
    with StediFake() as fake:
        yield fake


@pytest.fixture
def cli(tmp_path: Path, settings: Settings, make_app: Any, stedi: StediFake) -> Any:
    path = tmp_path / "payers.toml"
    path.write_text(payers_toml(stedi.endpoint))
    changed = dataclasses.replace(settings, payers_file=path)

    def invoke(*args: str) -> Any:
        """Each command in a fresh app, as each ``flask`` run is a fresh process."""
        return make_app(changed).test_cli_runner().invoke(args=["payers", *args])

    return invoke


def test_import_writes_the_list_beside_the_payers_file(cli: Any, tmp_path: Path) -> None:
    result = cli("import", str(LISTS / "stedi-list-payers.json"), "--connection", "stedi")
    assert result.exit_code == 0, result.output
    assert "imported 1 payers" in result.output
    assert "also in payers.toml (wins): 1" in result.output
    written = json.loads((tmp_path / "payers.stedi.json").read_text())
    assert written["payers"]["95655"]["name"] == "Trinity Health Plan"


def test_a_second_import_keeps_a_contract_recorded_in_the_list(cli: Any, tmp_path: Path) -> None:
    cli("import", str(LISTS / "plain.csv"), "--connection", "stedi")
    listed = tmp_path / "payers.stedi.json"
    data = json.loads(listed.read_text())
    data["payers"]["62308"]["in_network"] = False
    listed.write_text(json.dumps(data))
    result = cli("import", str(LISTS / "plain.csv"), "--connection", "stedi")
    assert "contract kept: 1" in result.output
    assert json.loads(listed.read_text())["payers"]["62308"]["in_network"] is False


def test_the_imported_payers_show_in_the_list_with_the_payers_files_names_first(
    cli: Any, tmp_path: Path
) -> None:
    shutil.copy(LISTS / "plain.csv", tmp_path / "list.csv")
    cli("import", str(tmp_path / "list.csv"), "--connection", "stedi")
    listing = {p["id"]: p for p in json.loads(cli("list", "--json").output)}
    assert listing["62308"]["name"] == "Cigna" and listing["62308"]["adapter"] == "stedi"
    assert listing["95655"]["name"] == "Trinity Health Plan (ours)"


def test_import_to_an_unknown_connection_names_the_known_ones(cli: Any) -> None:
    result = cli("import", str(LISTS / "plain.csv"), "--connection", "optum")
    assert result.exit_code != 0 and "known: stedi" in result.output


def test_ping_sends_stedis_test_member_and_prints_the_outcome(
    cli: Any, stedi: StediFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VT_PING_STEDI_KEY", API_KEY)
    result = cli("ping", "stedi")
    assert result.exit_code == 0, result.output
    assert "OK: the payer answered: active coverage" in result.output
    (call,) = stedi.calls(BASE)
    sent = call.json()
    assert sent["tradingPartnerServiceId"] == "60054"
    assert sent["subscriber"]["memberId"] == "AETNA12345"


def test_ping_with_a_wrong_key_says_so_and_exits_1(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VT_PING_STEDI_KEY", "not-the-key")
    result = cli("ping", "stedi")
    assert result.exit_code == 1
    assert "FAILED (payer_auth_error)" in result.output

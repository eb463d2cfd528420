"""The shipped directory names the common national payers and BH administrators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from verifier.payers.carveout import administrator_payer
from verifier.payers.directory import PayerDirectory

SHIPPED = Path(__file__).parents[3] / "config" / "payers.toml"


@pytest.fixture(scope="module")
def shipped() -> PayerDirectory:
    return PayerDirectory.load(SHIPPED)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("BCBS", "BCBS-BLUECARD"),
        ("Anthem", "ANTHEM"),
        ("UHC", "87726"),
        ("Optum Behavioral", "87726-BH"),
        ("Aetna", "60054"),
        ("Cigna", "62308"),
        ("Humana", "61101"),
        ("Kaiser", "KAISER"),
        ("Medicare", "CMS"),
        ("Magellan", "MAGELLAN"),
        ("Beacon", "CARELON-BH"),
        ("Evernorth", "EVERNORTH-BH"),
        ("Tricare", "TRICARE-EAST"),
    ],
)
def test_search_finds_each_national_payer(
    shipped: PayerDirectory, query: str, expected: str
) -> None:
    assert expected in [entry.id for entry in shipped.search(query)]


def test_the_sandbox_entries_are_unchanged(shipped: PayerDirectory) -> None:
    sandbox, oon = shipped.get("SANDBOX"), shipped.get("SANDBOX-OON")
    assert sandbox is not None and oon is not None
    assert (sandbox.adapter, sandbox.in_network, oon.in_network) == ("sandbox", True, False)


def test_real_payers_leave_contract_to_the_operator_and_share_one_connection(
    shipped: PayerDirectory,
) -> None:
    real = [e for e in shipped.entries.values() if e.adapter != "sandbox"]
    assert real and all(e.in_network is None for e in real)
    # issue 15: one [connections.clearinghouse] section routes every real payer
    assert {e.connection for e in real} == {"clearinghouse"}
    assert {e.endpoint for e in real} == {shipped.connections["clearinghouse"].endpoint}


def test_payers_list_prints_the_directory(runner: Any) -> None:
    result = runner.invoke(args=["payers", "list", "--search", "Optum Behavioral"])
    assert result.exit_code == 0, result.output
    assert "87726-BH" in result.output and "Optum Behavioral Health" in result.output
    everything = runner.invoke(args=["payers", "list"]).output
    assert all(name in everything for name in ("Aetna", "Cigna", "Humana", "Sandbox"))


@pytest.mark.parametrize(
    ("administrator", "expected"),
    [
        ({"name": "SOMETHING", "payer_id": "87726-BH", "phone": None}, "87726-BH"),
        ({"name": "OPTUM BEHAVIORAL HEALTH", "payer_id": None, "phone": None}, "87726-BH"),
        ({"name": "Beacon Health Options", "payer_id": "XYZ", "phone": "8005550100"}, "CARELON-BH"),
        ({"name": "CARELON BEHAVIORAL HEALTH OF TEXAS", "payer_id": None}, "CARELON-BH"),
    ],
    ids=["by-id", "by-name", "by-alias", "name-contains-a-name"],
)
def test_administrator_payer_finds_the_carve_out_entry(
    shipped: PayerDirectory, administrator: dict[str, Any], expected: str
) -> None:
    entry = administrator_payer(shipped, {"administrator": administrator})
    assert entry is not None and entry.id == expected


@pytest.mark.parametrize(
    "summary",
    [
        None,
        {"administrator": None},
        {"administrator": {"name": "ACME UTILIZATION REVIEW"}},
        {"administrator": {"name": "BH"}},
    ],
    ids=["no-summary", "no-administrator", "unknown-name", "too-short-to-match"],
)
def test_administrator_payer_is_none_when_unknown(
    shipped: PayerDirectory, summary: dict[str, Any] | None
) -> None:
    assert administrator_payer(shipped, summary) is None


def test_administrator_payer_accepts_the_administrator_itself(shipped: PayerDirectory) -> None:
    entry = administrator_payer(shipped, {"name": "Magellan", "payer_id": None})
    assert entry is not None and entry.id == "MAGELLAN"

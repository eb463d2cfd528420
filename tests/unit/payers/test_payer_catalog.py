"""The shipped directory names the common national payers and BH administrators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from verifier.coverage.model import Administrator
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
        (Administrator("SOMETHING", "87726-BH", None), "87726-BH"),
        (Administrator("OPTUM BEHAVIORAL HEALTH", None, None), "87726-BH"),
        (Administrator("Beacon Health Options", "XYZ", "8005550100"), "CARELON-BH"),
        (Administrator("CARELON BEHAVIORAL HEALTH OF TEXAS", None, None), "CARELON-BH"),
        (Administrator("Magellan", None, None), "MAGELLAN"),
    ],
    ids=["by-id", "by-name", "by-alias", "name-contains-a-name", "by-short-name"],
)
def test_administrator_payer_finds_the_carve_out_entry(
    shipped: PayerDirectory, administrator: Administrator, expected: str
) -> None:
    entry = administrator_payer(shipped, administrator)
    assert entry is not None and entry.id == expected


@pytest.mark.parametrize(
    "administrator",
    [
        None,
        Administrator("ACME UTILIZATION REVIEW", None, None),
        Administrator("BH", None, None),
        Administrator(None, None, "8005550100"),
    ],
    ids=["no-administrator", "unknown-name", "too-short-to-match", "no-name-no-id"],
)
def test_administrator_payer_is_none_when_unknown(
    shipped: PayerDirectory, administrator: Administrator | None
) -> None:
    assert administrator_payer(shipped, administrator) is None

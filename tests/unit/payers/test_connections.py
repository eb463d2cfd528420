"""[connections.NAME]: one section per clearinghouse account, payers routed through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifier.payers.connections import DEFAULT_ENDPOINTS
from verifier.payers.directory import DirectoryError, PayerDirectory

PAYERS = """
[connections.stedi]
kind = "stedi"
credentials = { api_key = "STEDI_API_KEY" }
options = { raw_x12 = true }

[connections.oa]
kind = "core_soap"
endpoint = "https://soap.example/CORE"
credentials = { username = "OA_USER", password = "OA_PASSWORD" }

[payers.60054]
name = "Aetna"
connection = "stedi"
in_network = true

[payers.87726-BH]
name = "Optum Behavioral Health"
connection = "stedi"
trading_partner_service_id = "87726"

[payers.OA1]
name = "A payer at Office Ally"
connection = "oa"

[payers.LEGACY]
name = "Old style"
adapter = "x12_http"
endpoint = "https://payer.example/x12"
"""


@pytest.fixture
def payers_file(tmp_path: Path) -> Path:
    path = tmp_path / "payers.toml"
    path.write_text(PAYERS)
    return path


def test_a_payer_takes_its_connections_adapter_endpoint_and_secrets(payers_file: Path) -> None:
    aetna = PayerDirectory.load(payers_file).get("60054")
    assert aetna is not None
    assert (aetna.adapter, aetna.connection) == ("stedi", "stedi")
    assert aetna.endpoint == DEFAULT_ENDPOINTS["stedi"]  # the published production URL
    assert aetna.credentials == {"api_key": "STEDI_API_KEY"}
    assert aetna.options["raw_x12"] is True
    assert aetna.trading_partner_service_id == "60054"  # default: the payer id
    assert aetna.in_network is True


def test_the_trading_partner_service_id_can_differ_from_the_payer_id(payers_file: Path) -> None:
    entry = PayerDirectory.load(payers_file).get("87726-BH")
    assert entry is not None and entry.trading_partner_service_id == "87726"


def test_a_core_soap_connection_is_the_x12_http_adapter_in_soap_framing(
    payers_file: Path,
) -> None:
    entry = PayerDirectory.load(payers_file).get("OA1")
    assert entry is not None
    assert (entry.adapter, entry.framing, entry.endpoint) == (
        "x12_http",
        "core_soap",
        "https://soap.example/CORE",
    )


def test_an_x12_http_raw_connection_posts_raw_x12(tmp_path: Path) -> None:
    path = tmp_path / "payers.toml"
    path.write_text(
        '[connections.direct]\nkind = "x12_http_raw"\nendpoint = "https://p.example/x12"\n'
        '[payers.X1]\nname = "X"\nconnection = "direct"\n'
    )
    entry = PayerDirectory.load(path).get("X1")
    assert entry is not None and (entry.adapter, entry.framing) == ("x12_http", "raw")


def test_adapter_entries_keep_working_beside_connections(payers_file: Path) -> None:
    entry = PayerDirectory.load(payers_file).get("LEGACY")
    assert entry is not None and (entry.adapter, entry.connection) == ("x12_http", None)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[payers.X]\nname = "X"\nconnection = "nope"\n', "connections.nope"),
        (
            '[connections.c]\nendpoint = "https://x"\n[payers.X]\nname = "X"\nconnection = "c"\n',
            "connections.c.kind",
        ),
        (
            '[connections.c]\nkind = "stedi"\ncolour = 1\n[payers.X]\nname = "X"\n'
            'connection = "c"\n',
            "colour",
        ),
        (
            '[connections.c]\nkind = "stedi"\n[payers.X]\nname = "X"\nadapter = "sandbox"\n'
            'connection = "c"\n',
            "not both",
        ),
    ],
)
def test_connection_mistakes_are_named(tmp_path: Path, toml: str, named: str) -> None:
    path = tmp_path / "payers.toml"
    path.write_text(toml)
    with pytest.raises(DirectoryError, match=named):
        PayerDirectory.load(path)


def test_an_imported_payer_list_is_read_and_the_payers_file_wins(payers_file: Path) -> None:
    imported = {
        "connection": "stedi",
        "payers": {
            "60054": {"name": "AETNA (imported)"},
            "62308": {"name": "Cigna", "aliases": ["CIGNA HEALTHCARE"], "in_network": False},
        },
    }
    (payers_file.parent / "payers.stedi.json").write_text(json.dumps(imported))
    directory = PayerDirectory.load(payers_file)
    aetna, cigna = directory.get("60054"), directory.get("62308")
    assert aetna is not None and aetna.name == "Aetna"
    assert cigna is not None and (cigna.adapter, cigna.in_network) == ("stedi", False)
    assert [e.id for e in directory.search("cigna healthcare")] == ["62308"]

"""The payer directory: the documented keys work as written; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.payers.directory import DirectoryError, PayerDirectory

ISSUE_EXAMPLE = """
[payers.ACME1]                 # the payer id used in requests and in the 270
name = "Acme Health"
aliases = ["Acme", "Acme PPO"]
adapter = "x12_http"           # or clearinghouse, fhir, sandbox, or a plug-in's name
framing = "raw"                # x12_http only: raw | core_soap
endpoint = "https://payer.example/eligibility"
in_network = true              # the facility's contract with this payer
"""


@pytest.fixture
def directory(tmp_path: Path) -> PayerDirectory:
    path = tmp_path / "payers.toml"
    path.write_text(ISSUE_EXAMPLE)
    return PayerDirectory.load(path)


def test_the_documented_keys_load_as_written(directory: PayerDirectory) -> None:
    entry = directory.get("ACME1")
    assert entry is not None
    assert entry.name == "Acme Health"
    assert entry.aliases == ("Acme", "Acme PPO")
    assert entry.adapter == "x12_http"
    assert entry.framing == "raw"
    assert entry.endpoint == "https://payer.example/eligibility"
    assert entry.in_network is True


@pytest.mark.parametrize("query", ["acme ppo", "ACME1", "health", ""])
def test_search_finds_by_name_alias_or_id(directory: PayerDirectory, query: str) -> None:
    assert [entry.id for entry in directory.search(query)] == ["ACME1"]


def test_the_public_view_has_no_endpoint_or_credentials(directory: PayerDirectory) -> None:
    entry = directory.get("ACME1")
    assert entry is not None
    public = entry.public()
    assert "endpoint" not in public and "credentials" not in public


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[payers.X]\nname = "X"\nadapter = "sandbox"\ncolour = "red"\n', "colour"),
        ('[payers.X]\nadapter = "sandbox"\n', "payers.X.name"),
        ('[payers.X]\nname = "X"\nadapter = "x12_http"\nframing = "smoke"\n', "framing"),
        ('[payers.X]\nname = "X"\nadapter = "sandbox"\nin_network = "yes"\n', "in_network"),
        ('[payers."A*B"]\nname = "X"\nadapter = "sandbox"\n', "payers.A*B"),
        ('[payers.X]\nname = "X"\nadapter = "sandbox"\nrate_limit = -1\n', "rate_limit"),
        ("[payers]\n", "payers"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_a_mistake_is_refused_naming_the_key(tmp_path: Path, toml: str, named: str) -> None:
    path = tmp_path / "payers.toml"
    path.write_text(toml)
    with pytest.raises(DirectoryError, match=named.replace("*", r"\*").replace(".", r"\.")):
        PayerDirectory.load(path)


def test_the_shipped_directory_loads_and_lists_the_sandbox() -> None:
    directory = PayerDirectory.load(Path(__file__).parents[3] / "config" / "payers.toml")
    assert directory.get("SANDBOX") is not None
    assert directory.get("SANDBOX-OON") is not None

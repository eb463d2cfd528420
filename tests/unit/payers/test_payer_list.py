"""Reading a clearinghouse's payer list: Stedi's JSON and CSV exports, and a plain CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.payers.payer_list import ListedPayer, PayerListError, merge, parse

LISTS = Path(__file__).resolve().parents[2] / "fixtures" / "payer_lists"


@pytest.mark.parametrize("name", ["stedi-list-payers.json", "stedi-list-payers.csv"])
def test_stedi_exports_give_ids_names_and_aliases_of_eligibility_payers(name: str) -> None:
    listed = parse((LISTS / name).read_text())
    assert [p.id for p in listed] == ["62308", "87726"]  # the claims-only payer is left out
    cigna = listed[0]
    assert cigna.name == "Cigna"
    assert "CIGNA" in cigna.aliases and "Cigna Healthcare" in cigna.aliases
    assert "62308" not in cigna.aliases  # the id itself is not an alias


def test_a_plain_csv_reads_id_name_aliases() -> None:
    listed = parse((LISTS / "plain.csv").read_text())
    assert listed[0] == ListedPayer("62308", "Cigna", ("CIGNA", "Cigna Healthcare"))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("name,aliases\nCigna,\n", "id and name columns"),
        ("id,name\n62308,\n", "line 2"),
        ('{"items": 3}', "items array"),
        ("{nope", "not valid JSON"),
    ],
)
def test_unreadable_lists_say_where(text: str, named: str) -> None:
    with pytest.raises(PayerListError, match=named):
        parse(text)


def test_a_new_import_keeps_the_contract_recorded_for_a_payer() -> None:
    previous = {"62308": {"name": "Cigna", "in_network": True}}
    tables, added, kept, shadowed = merge(
        [ListedPayer("62308", "Cigna Corp"), ListedPayer("87726", "UHC")], previous, {"87726"}
    )
    assert tables["62308"] == {"name": "Cigna Corp", "in_network": True}
    assert (added, kept, shadowed) == (1, 1, 1)

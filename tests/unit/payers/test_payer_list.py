"""Reading a clearinghouse's payer list: Stedi's JSON and CSV exports, and a plain CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.payers.payer_list import ListedPayer, PayerListError, merge, parse

LISTS = Path(__file__).resolve().parents[2] / "fixtures" / "payer_lists"


@pytest.mark.parametrize("name", ["stedi-list-payers.json", "stedi-list-payers.csv"])
def test_stedis_published_exports_give_the_id_name_and_every_alias(name: str) -> None:
    (trinity,) = parse((LISTS / name).read_text())
    assert (trinity.id, trinity.name) == ("95655", "Trinity Health Plan")
    assert "MEDIGOLD" in trinity.aliases and "Mount Carmel MediGold" in trinity.aliases
    assert "95655" not in trinity.aliases  # the id itself is not an alias


def test_payers_that_take_no_eligibility_checks_are_left_out() -> None:
    csv_text = "PrimaryPayerId,DisplayName,Aliases,EligibilityInquiry\n1,A,,true\n2,B,,false\n"
    assert [p.id for p in parse(csv_text)] == ["1"]
    listed = parse(
        '{"items": [{"primaryPayerId": "1", "displayName": "A", "aliases": [],'
        ' "transactionSupport": {"eligibilityCheck": "ENROLLMENT_REQUIRED"}},'
        ' {"primaryPayerId": "2", "displayName": "B", "aliases": [],'
        ' "transactionSupport": {"eligibilityCheck": "NOT_SUPPORTED"}}]}'
    )
    assert [p.id for p in listed] == ["1"]  # enrollment required still takes checks


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

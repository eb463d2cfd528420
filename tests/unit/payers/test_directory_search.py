"""The picker's search over a clearinghouse-sized directory: best matches first, a few."""

from __future__ import annotations

from verifier.payers.directory import PayerDirectory


def directory(*names: str) -> PayerDirectory:
    payers = {f"P{i}": {"name": name, "adapter": "sandbox"} for i, name in enumerate(names)}
    return PayerDirectory.from_mapping({"payers": payers})


def test_a_name_that_starts_with_the_query_comes_before_one_that_contains_it() -> None:
    found = directory("Anthem Blue Cross", "Blue Shield of California", "Highmark Blue").search(
        "blue"
    )
    assert [e.name for e in found] == [
        "Blue Shield of California",
        "Anthem Blue Cross",
        "Highmark Blue",
    ]


def test_a_word_start_beats_a_match_inside_a_word() -> None:
    found = directory("Cobluem Health", "Prairie Blue Plan").search("blue")
    assert [e.name for e in found] == ["Prairie Blue Plan", "Cobluem Health"]


def test_the_limit_keeps_the_best_matches() -> None:
    names = [f"Plan {n:04d}" for n in range(200)] + ["Plan Best"]
    found = directory(*names).search("plan b", limit=5)
    assert [e.name for e in found] == ["Plan Best"]
    assert len(directory(*names).search("plan", limit=50)) == 50

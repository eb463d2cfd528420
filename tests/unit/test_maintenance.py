"""Pure parts of the scheduled work: the backoff schedule and the re-check diff."""

from __future__ import annotations

import pytest

from verifier.changes import describe, diff
from verifier.retries import backoff

DEFAULTS = (90, 300, 900, 1800, 3600, 7200)


def test_no_intervals_means_no_retry() -> None:
    assert backoff((), 1, 0.25) is None


@pytest.mark.parametrize("rand", [0.0, 0.5, 0.999])
def test_the_first_wait_is_at_least_90_seconds_and_grows(rand: float) -> None:
    waits = [backoff(DEFAULTS, n, 0.25, rand=lambda: rand) for n in range(1, 9)]
    assert waits[0] is not None and waits[0] >= 90
    for base, wait in zip((*DEFAULTS, 7200, 7200), waits, strict=True):
        assert wait is not None and base <= wait <= base * 1.25 + 1
    assert waits[-1] == waits[-2]  # the last interval repeats until the window ends


def test_jitter_spreads_checks_that_failed_together() -> None:
    import random

    rng = random.Random(7)
    waits = {backoff(DEFAULTS, 1, 0.25, rand=rng.random) for _ in range(50)}
    assert len(waits) > 5


def test_retry_after_is_honored() -> None:
    assert backoff(DEFAULTS, 1, 0.0, retry_after=600.2) == 601


SUMMARY = {
    "coverage": {"status": "active", "plan_end": None},
    "network": {"status": "in_network"},
    "preauthorization": {"required": False},
    "benefits": {
        "in_network": {
            "deductible": {"individual": {"remaining": "400.00"}, "family": {"remaining": None}},
            "out_of_pocket": {"individual": {"remaining": "3200.00"}},
            "copay": {"amount": "30.00"},
            "coinsurance": "0.20",
        }
    },
    "visit_limit": {"remaining": 18, "used": 2},
    "evidence": {"x": ["EB*C"]},
}


def _changed(path: str, value: object) -> dict:
    import copy

    changed = copy.deepcopy(SUMMARY)
    node = changed
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return changed


def test_same_answer_has_no_changes() -> None:
    assert diff(SUMMARY, _changed("evidence", {"y": []})) == []


@pytest.mark.parametrize(
    ("path", "value", "label"),
    [
        ("coverage.status", "inactive", "Coverage"),
        (
            "benefits.in_network.deductible.individual.remaining",
            "0.00",
            "In-network deductible left",
        ),
        ("visit_limit.remaining", 0, "Visits left"),
        ("preauthorization.required", True, "Preauthorization required"),
    ],
)
def test_a_changed_fact_is_reported_old_and_new(path: str, value: object, label: str) -> None:
    found = diff(SUMMARY, _changed(path, value))
    assert [(c["field"], c["label"], c["new"]) for c in found] == [(path, label, value)]
    assert label in describe(found)


def test_the_administrators_answer_is_compared_too() -> None:
    old = SUMMARY | {"carve_out": SUMMARY}
    new = SUMMARY | {"carve_out": _changed("visit_limit.remaining", 3)}
    assert [c["label"] for c in diff(old, new)] == ["Administrator: Visits left"]


def test_the_description_fits_the_reason_column() -> None:
    many = [{"label": "L" * 50, "old": 1, "new": 2}] * 10
    assert len(describe(many)) <= 200

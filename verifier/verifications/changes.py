"""What changed between two answers for the same member: a readable diff for staff.

Pure: two CoverageSummary values in, a list of ``{field, label, old, new}`` out (JSON
values, as the summary's own ``to_dict`` writes them). Only the facts that change what a
family pays or whether the program can admit are compared (coverage, network,
preauthorization, deductible and out-of-pocket left, copay, coinsurance, visits);
messages and evidence are not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from verifier.coverage.model import CoverageSummary, fraction, money
from verifier.verifications import lifecycle

Fact = Callable[[CoverageSummary], Any]

FIELDS: tuple[tuple[str, str, Fact], ...] = (
    ("coverage.status", "Coverage", lambda s: s.coverage.status.value),
    (
        "coverage.plan_end",
        "Plan ends",
        lambda s: s.coverage.plan_end.isoformat() if s.coverage.plan_end else None,
    ),
    ("network.status", "Network", lambda s: s.network.status.value),
    (
        "preauthorization.required",
        "Preauthorization required",
        lambda s: s.preauthorization.required,
    ),
    (
        "administrator.payer_id",
        "Benefits administrator",
        lambda s: s.administrator.payer_id if s.administrator else None,
    ),
    (
        "benefits.in_network.deductible.individual.remaining",
        "In-network deductible left",
        lambda s: money(s.in_network.deductible.individual.remaining),
    ),
    (
        "benefits.in_network.deductible.family.remaining",
        "In-network family deductible left",
        lambda s: money(s.in_network.deductible.family.remaining),
    ),
    (
        "benefits.in_network.out_of_pocket.individual.remaining",
        "In-network out-of-pocket left",
        lambda s: money(s.in_network.out_of_pocket.individual.remaining),
    ),
    (
        "benefits.in_network.copay.amount",
        "In-network copay",
        lambda s: money(s.in_network.copay.amount),
    ),
    (
        "benefits.in_network.coinsurance",
        "In-network coinsurance",
        lambda s: fraction(s.in_network.coinsurance),
    ),
    (
        "benefits.out_of_network.deductible.individual.remaining",
        "Out-of-network deductible left",
        lambda s: money(s.out_of_network.deductible.individual.remaining),
    ),
    ("visit_limit.remaining", "Visits left", lambda s: s.visit_limit.remaining),
    ("visit_limit.used", "Visits used", lambda s: s.visit_limit.used),
)


def _fact(summary: CoverageSummary | None, fact: Fact) -> Any:
    return None if summary is None else fact(summary)


def _carve(summary: CoverageSummary | None) -> CoverageSummary | None:
    if summary is None or summary.carve_out is None:
        return None
    return summary.carve_out.summary


def diff(old: CoverageSummary | None, new: CoverageSummary | None) -> list[dict[str, Any]]:
    """The compared facts that differ, in a fixed order; the carve-out's answer too."""
    found: list[dict[str, Any]] = []
    pairs = [("", "", old, new)]
    if (old is not None and old.carve_out) or (new is not None and new.carve_out):
        pairs.append(("carve_out.", "Administrator: ", _carve(old), _carve(new)))
    for prefix, label_prefix, before_summary, after_summary in pairs:
        for path, label, fact in FIELDS:
            before, after = _fact(before_summary, fact), _fact(after_summary, fact)
            if before != after:
                found.append(
                    {
                        "field": prefix + path,
                        "label": label_prefix + label,
                        "old": before,
                        "new": after,
                    }
                )
    return found


def describe(changes: list[dict[str, Any]], limit: int = 200) -> str:
    """One line for the console's reason column: ``Coverage: active → inactive; ...``."""

    def shown(value: Any) -> str:
        return "not reported" if value is None else str(value)

    text = "; ".join(f"{c['label']}: {shown(c['old'])} → {shown(c['new'])}" for c in changes)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def recheck_values(
    previous: CoverageSummary | None, current: CoverageSummary | None
) -> dict[str, Any]:
    """A finished re-check's columns: the diff in ``changes`` (``[]`` when nothing moved)
    and, when something did, the row flagged for staff (needs_review, ``changed``)."""
    found = diff(previous, current)
    values: dict[str, Any] = {"changes": found}
    if found:
        values |= {
            "status": lifecycle.NEEDS_REVIEW,
            "reason": "changed",
            "reason_detail": describe(found),
        }
    return values

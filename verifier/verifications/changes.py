"""What changed between two answers for the same member: a readable diff for staff.

Pure: two CoverageSummary dicts in, a list of ``{field, label, old, new}`` out. Only the
facts that change what a family pays or whether the program can admit are compared
(coverage, network, preauthorization, deductible and out-of-pocket left, copay,
coinsurance, visits); messages and evidence are not.
"""

from __future__ import annotations

from typing import Any

from verifier import lifecycle

FIELDS: tuple[tuple[str, str], ...] = (
    ("coverage.status", "Coverage"),
    ("coverage.plan_end", "Plan ends"),
    ("network.status", "Network"),
    ("preauthorization.required", "Preauthorization required"),
    ("administrator.payer_id", "Benefits administrator"),
    ("benefits.in_network.deductible.individual.remaining", "In-network deductible left"),
    ("benefits.in_network.deductible.family.remaining", "In-network family deductible left"),
    ("benefits.in_network.out_of_pocket.individual.remaining", "In-network out-of-pocket left"),
    ("benefits.in_network.copay.amount", "In-network copay"),
    ("benefits.in_network.coinsurance", "In-network coinsurance"),
    ("benefits.out_of_network.deductible.individual.remaining", "Out-of-network deductible left"),
    ("visit_limit.remaining", "Visits left"),
    ("visit_limit.used", "Visits used"),
)


def _at(summary: dict[str, Any] | None, path: str) -> Any:
    value: Any = summary
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The compared facts that differ, in a fixed order; the carve-out's answer too."""
    found: list[dict[str, Any]] = []
    for prefix, label_prefix in (("", ""), ("carve_out.", "Administrator: ")):
        if prefix and _at(old, "carve_out") is None and _at(new, "carve_out") is None:
            continue
        for path, label in FIELDS:
            before, after = _at(old, prefix + path), _at(new, prefix + path)
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


def recheck_values(previous: dict[str, Any] | None, current: dict[str, Any] | None
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

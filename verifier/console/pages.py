"""What the console's pages show, built from the staff use cases (no Flask here).

The detail page's grid per level of care (with the carve-out administrator's grid beside
the plan's), the phone VOBs with their differences, authorizations, call-backs, and the
"Visitor saw" box: the visitor's own result page words, built by the same function that
rendered them (``web.present.page_for``), in each language the page offers.
"""

from __future__ import annotations

from typing import Any

from verifier.coverage.model import CoverageSummary
from verifier.coverage.plain import assumptions_for
from verifier.coverage.stored import stored_summary
from verifier.runtime import Runtime
from verifier.staff import grid
from verifier.store.models import Verification
from verifier.store.records import ContactRecord, unseal
from verifier.verifications import lifecycle
from verifier.web.messages import LANGUAGES
from verifier.web.present import page_for

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def summary_grid(summary: CoverageSummary, source: str = "electronic") -> dict[str, Any]:
    """One answer as the grid's rows, ready for the template."""
    estimate = summary.estimate
    carve = summary.carve_out
    carve_grid = None
    if carve is not None:
        admin = summary.administrator
        carve_grid = {
            "payer_id": carve.payer_id,
            "name": (admin.name if admin and admin.name else None) or carve.payer_id,
            "error": carve.error,
            "grid": summary_grid(carve.summary, "administrator") if carve.summary else None,
        }
    shows_cost = grid.shows_cost(summary)
    plan, tiers = grid.plan_rows(summary), grid.tier_rows(summary)
    return {
        "level_of_care": summary.level_of_care.value,
        "source": source,
        "plan": plan,
        "tiers": tiers,
        # The same rows by key, for compact tables that show a few of them.
        "by_key": {row.key: row for row in (*plan, *tiers)},
        "places": grid.place_rows(summary),
        "shows_cost": shows_cost,
        "estimate": grid.estimate_text(summary) if shows_cost else None,
        "assumptions": list(estimate.assumptions) or assumptions_for(estimate.to_dict()),
        "messages": list(summary.messages),
        "errors": [e.to_dict() for e in summary.errors],
        "notes": list(dict(summary.evidence).get("notes", ())),
        "carve_out": carve_grid,
    }


def grids_by_level(attempts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The newest answer per level of care (attempts newest first), each as a grid."""
    found: dict[str, dict[str, Any]] = {}
    for attempt in attempts:
        level, data = attempt.get("level_of_care"), attempt.get("summary")
        if not level or level in found or not data:
            continue
        summary = stored_summary(data)
        if summary is None:
            continue
        source = "manual" if attempt.get("adapter") == "manual" else attempt.get("adapter", "")
        view = summary_grid(summary, source)
        view["attempt"] = attempt.get("number")
        view["at"] = attempt.get("finished_at") or attempt.get("started_at")
        found[level] = view
    return found


def latest_electronic(attempts: list[dict[str, Any]], level: str) -> dict[str, Any] | None:
    """The newest payer answer for ``level`` (attempts newest first), phone VOBs skipped:
    shown beside a phone VOB so the coordinator reads both."""
    for attempt in attempts:
        if attempt.get("adapter") == "manual" or attempt.get("level_of_care") != level:
            continue
        summary = stored_summary(attempt.get("summary"))
        if summary is not None:
            view = summary_grid(summary, attempt.get("adapter", ""))
            view["attempt"] = attempt.get("number")
            return view
    return None


def visitor_saw(runtime: Runtime, row: Verification) -> list[dict[str, Any]]:
    """The visitor's result page, in each language, as the visitor's page rendered it;
    the language their form was in first, marked ``theirs`` (a call back speaks it)."""
    if row.source != "visitor" or row.visitor_summary is None:
        return []
    view: dict[str, Any] = {
        "id": row.id,
        "status": row.status,
        "reason": row.reason if row.status in lifecycle.FINAL else None,
        "summary": row.visitor_summary,
    }
    # What the page promised depended on the contact the visitor gave (PHI: this is an
    # audited staff read of the detail page).
    contact = (
        ContactRecord.from_json(unseal(runtime.keyring, "contact", row.id, row.contact_enc))
        if row.contact_enc
        else None
    )
    phone = runtime.facility.phone
    theirs = row.language if row.language in LANGUAGES else None
    ordered = sorted(LANGUAGES, key=lambda language: language != theirs)
    return [
        {
            "language": language,
            "name": LANGUAGE_NAMES.get(language, language),
            "theirs": language == theirs,
        }
        | page_for(view, language, phone, contact)
        for language in ordered
    ]

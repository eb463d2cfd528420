"""Plain words for a website visitor, built only from the summary's non-identifying parts.

A visitor sees whether coverage is active, whether the program appears covered, whether
approval is needed, the cost range, visit limits and what happens next. Never a name, a
member or group number, a plan name, a carve-out's identifiers or the payer's MSG text (which
can carry any of those). Strings live in ``messages.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from verifier.coverage.facility import FacilityProfile
from verifier.coverage.messages import DEFAULT_LANGUAGE, VISITOR, assumption_text, text
from verifier.coverage.model import (
    CoverageStatus,
    CoverageSummary,
    NetworkStatus,
    Tier,
    money,
)

NOT_FOUND_CODES = frozenset({"67", "68", "75", "76", "77", "78"})


def plain_text(
    summary: CoverageSummary, facility: FacilityProfile, language: str = DEFAULT_LANGUAGE
) -> str:
    def say(key: str, **fields: object) -> str:
        return text(VISITOR, language, key, **fields)

    lines: list[str] = []
    status = summary.coverage.status
    if status is CoverageStatus.ACTIVE:
        lines.append(say("active"))
        lines += _program_lines(summary, facility, say)
    elif status is CoverageStatus.INACTIVE:
        lines.append(say("inactive"))
    elif any(e.code in NOT_FOUND_CODES for e in summary.errors):
        lines.append(say("not_found"))
    elif summary.errors and all(e.retryable for e in summary.errors):
        lines.append(say("unavailable"))
    else:
        lines.append(say("unknown"))
    if summary.matching is not None:
        lines.append(say("confirm_card"))  # matched only after a correction (issue 21)
    lines.append(say("next"))
    lines.append(say("phone", phone=facility.phone))
    lines.append(say("disclaimer"))
    return "\n".join(lines)


def _program_lines(summary: CoverageSummary, facility: FacilityProfile, say: Any) -> list[str]:
    lines: list[str] = []
    program = say(f"program.{summary.level_of_care.value}")
    network = summary.network.status
    if network is NetworkStatus.UNKNOWN:
        lines.append(say("network_unknown"))
        tiers = [Tier.IN_NETWORK, Tier.OUT_OF_NETWORK]
    else:
        tiers = [Tier(network.value)]
    for tier in tiers:
        covered = summary.tier(tier).covered
        where = say(tier.value)
        if covered is True:
            lines.append(say("covered", program=program, where=where))
        elif covered is False:
            lines.append(say("not_covered", program=program, where=where))
    if not any(summary.tier(t).covered is not None for t in tiers):
        lines.append(say("covered_unknown", program=program))

    required = summary.preauthorization.required
    key = {True: "preauth_required", False: "preauth_not_required", None: "preauth_unknown"}
    lines.append(say(key[required]))

    estimate = summary.estimate
    if estimate.patient_cost_low is not None and estimate.patient_cost_high is not None:
        unit = say(f"unit.{facility.program(summary.level_of_care).unit}")
        low, high = _dollars(estimate.patient_cost_low), _dollars(estimate.patient_cost_high)
        key_name = "estimate_point" if low == high else "estimate_range"
        lines.append(say(key_name, low=low, high=high, sessions=estimate.sessions, unit=unit))

    limit = summary.visit_limit
    period = say(f"period.{limit.period or 'none'}") if limit.period in _PERIODS else ""
    if limit.remaining is not None:
        lines.append(
            say("visits_remaining", remaining=limit.remaining, period=period)
            .replace("  ", " ")
            .replace(" .", ".")
        )
    elif limit.allowed is not None:
        lines.append(
            say("visits_allowed", allowed=limit.allowed, period=period)
            .replace("  ", " ")
            .replace(" .", ".")
        )
    return lines


def _dollars(value: Decimal) -> str:
    return f"{Decimal(money(value) or 0):,.2f}"


_PERIODS = frozenset({"calendar_year", "service_year", "year", "lifetime", None})


def visitor_view(
    summary: CoverageSummary, facility: FacilityProfile, language: str = DEFAULT_LANGUAGE
) -> dict[str, Any]:
    """The summary without identifiers: what the visitor's status page may show.

    ``plain_text`` and the estimate's ``assumptions`` are in ``language``; the estimate keeps
    its ``assumption_keys`` so a stored view can be said in another language later
    (``assumptions_for``).
    """
    coverage = summary.coverage
    estimate = summary.estimate.to_dict()
    if language != DEFAULT_LANGUAGE:  # the summary's own assumptions are in English
        estimate["assumptions"] = assumptions_for(estimate, language)
    # Every language the page offers: the worker does not know which one the visitor
    # reads, and a stored view must be said in it later (``plain_text_in``).
    by_language = {other: plain_text(summary, facility, other) for other in VISITOR}
    return {
        "plain_text": by_language.get(language) or plain_text(summary, facility, language),
        "plain_text_by_language": by_language,
        "coverage": {
            "status": coverage.status.value,
            "plan_begin": coverage.plan_begin.isoformat() if coverage.plan_begin else None,
            "plan_end": coverage.plan_end.isoformat() if coverage.plan_end else None,
        },
        "network": {"status": summary.network.status.value},
        "preauthorization": {"required": summary.preauthorization.required},
        "estimate": estimate,
        "visit_limit": summary.visit_limit.to_dict(),
    }


def plain_text_in(view: Mapping[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """A stored visitor view's plain words in ``language``; views stored before the other
    languages were kept have only ``plain_text`` (English)."""
    by_language = view.get("plain_text_by_language")
    if isinstance(by_language, Mapping) and isinstance(by_language.get(language), str):
        return str(by_language[language])
    return str(view.get("plain_text") or "")


def assumptions_for(estimate: Mapping[str, Any], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The assumptions of an estimate (``Estimate.to_dict()``, or as stored) in ``language``.

    They are said from ``assumption_keys``. An estimate stored before those existed, or whose
    keys this version cannot say, shows its stored English ``assumptions`` as they are.
    """
    stored = [str(a) for a in estimate.get("assumptions") or []]
    keys = estimate.get("assumption_keys")
    if not isinstance(keys, list) or len(keys) != len(stored):
        return stored
    said: list[str] = []
    for item in keys:
        if not isinstance(item, Mapping):
            return stored
        key, fields = item.get("key"), item.get("fields")
        if not isinstance(key, str) or not isinstance(fields, Mapping):
            return stored
        try:
            said.append(assumption_text(language, key, fields))
        except (KeyError, ValueError, IndexError, TypeError, AttributeError):
            return stored
    return said

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
    CoverageSummary,
    NetworkStatus,
    Tier,
    money,
)
from verifier.coverage.words import says_costs, states_of


def plain_text(
    summary: CoverageSummary,
    facility: FacilityProfile,
    language: str = DEFAULT_LANGUAGE,
    administered_by: str | None = None,
) -> str:
    """The visitor's words, in the order and with the silences of ``words.WORDS``.

    ``administered_by``: the payer directory's name for the carve-out administrator whose
    answer ``summary`` is (the service re-queried it). Only that name is said: the name a
    271 sends is payer text and is not shown to a visitor, nor any id or phone.
    """

    def say(key: str, **fields: object) -> str:
        return text(VISITOR, language, key, **fields)

    data = summary.to_dict()
    states = states_of(data, administered_by)
    name = (administered_by or "")[:80]
    lines: list[str] = []
    for state in states:
        if state == "visits_exhausted":
            lines.append(say("visits_exhausted"))
        elif state == "coverage_active":
            lines.append(say("active"))
        elif state == "coverage_active_no_visits":
            lines.append(say("active_plain"))
        elif state == "coverage_inactive":
            lines.append(say("inactive"))
        elif state == "not_found":
            lines.append(say("not_found"))
        elif state == "not_found_check":
            lines.append(say("not_found_check"))
        elif state == "payer_unavailable":
            lines.append(say("unavailable"))
        elif state == "coverage_unknown":
            lines.append(say("unknown"))
        elif state == "carve_out":
            lines.append(say("carve_out", administrator=name))
        elif state == "carve_out_unconfirmed":
            lines.append(say("carve_out_unconfirmed"))
        elif state == "out_of_network_only":
            lines.append(say("out_of_network_only"))
    if says_costs(data):
        lines += _program_lines(summary, facility, say)
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
    if limit.remaining is not None and limit.remaining > 0:
        lines.append(
            say("visits_remaining", remaining=limit.remaining, period=period)
            .replace("  ", " ")
            .replace(" .", ".")
        )
    elif limit.allowed is not None and limit.remaining is None:
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
    summary: CoverageSummary,
    facility: FacilityProfile,
    language: str = DEFAULT_LANGUAGE,
    administered_by: str | None = None,
) -> dict[str, Any]:
    """The summary without identifiers: what the visitor's status page may show.

    ``plain_text`` and the estimate's ``assumptions`` are in ``language``; the estimate keeps
    its ``assumption_keys`` so a stored view can be said in another language later
    (``assumptions_for``). Coverage inactive or not confirmed: no network status and no
    estimate at all (``words.says_costs``), only what to do next.
    """
    coverage = summary.coverage
    speaks = says_costs(summary.to_dict())
    estimate: dict[str, Any] | None = summary.estimate.to_dict() if speaks else None
    if estimate is not None and language != DEFAULT_LANGUAGE:
        estimate["assumptions"] = assumptions_for(estimate, language)  # stored in English
    # Every language the page offers: the worker does not know which one the visitor
    # reads, and a stored view must be said in it later (``plain_text_in``).
    by_language = {other: plain_text(summary, facility, other, administered_by)
                   for other in VISITOR}
    return {
        "plain_text": by_language.get(language)
        or plain_text(summary, facility, language, administered_by),
        "plain_text_by_language": by_language,
        "coverage": {
            "status": coverage.status.value,
            "plan_begin": coverage.plan_begin.isoformat() if coverage.plan_begin else None,
            "plan_end": coverage.plan_end.isoformat() if coverage.plan_end else None,
        },
        "network": {"status": summary.network.status.value} if speaks else None,
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

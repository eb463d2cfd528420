"""The visitor view (verifications.visitor) as a page: headline, words, facts, next steps.

One formatter for both renderers: Jinja for the no-JS page, and the JSON the page's script
draws with textContent. Everything here is plain text; markup is the renderers' job.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from verifier.coverage.messages import VISITOR
from verifier.coverage.messages import text as coverage_text
from verifier.coverage.plain import assumptions_for, plain_text_in
from verifier.store.records import ContactRecord
from verifier.verifications import lifecycle
from verifier.web.messages import say

PERIOD_KEYS = {"calendar_year", "service_year", "year", "lifetime"}


def _money(value: Any) -> str | None:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return None


def _headline(status: str, reason: str | None, language: str) -> str:
    if status in (lifecycle.QUEUED, lifecycle.RUNNING):
        return say(language, "checking")
    if status == lifecycle.RETRY_WAIT:
        return say(language, "retry_heading")
    if status == lifecycle.COMPLETED:
        return say(language, "result_heading")
    if status == lifecycle.NEEDS_REVIEW:
        return say(language, "review_heading")
    if reason in ("member_not_found", "invalid_input"):
        return say(language, "not_found_heading")
    return say(language, "failed_heading")


def _facts(summary: dict[str, Any], language: str) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    coverage = (summary.get("coverage") or {}).get("status")
    if coverage is None:
        return facts
    known = coverage if coverage in ("active", "inactive") else "unknown"
    facts.append((say(language, "fact.coverage"), say(language, f"coverage.{known}")))
    if known != "active":  # no network status, cost or limits for coverage not in force
        return facts       # (verifier/coverage/words.py)
    network = (summary.get("network") or {}).get("status")
    network = network if network in ("in_network", "out_of_network") else "unknown"
    facts.append((say(language, "fact.network"), say(language, f"network.{network}")))
    required = (summary.get("preauthorization") or {}).get("required")
    preauth = {True: "preauth.true", False: "preauth.false"}.get(bool(required), "preauth.none")
    preauth = preauth if required is not None else "preauth.none"
    facts.append((say(language, "fact.preauth"), say(language, preauth)))
    estimate = summary.get("estimate") or {}
    low, high = _money(estimate.get("patient_cost_low")), _money(estimate.get("patient_cost_high"))
    if low and high:
        cost = say(
            language, "estimate.range", low=low, high=high, sessions=estimate.get("sessions") or "?"
        )
    else:
        cost = say(language, "estimate.none")
    facts.append((say(language, "fact.estimate"), cost))
    limit = summary.get("visit_limit") or {}
    remaining, allowed = limit.get("remaining"), limit.get("allowed")
    if remaining is not None and allowed is not None:
        visits = say(language, "visits.remaining", remaining=remaining, allowed=allowed)
    elif remaining is not None:
        visits = say(language, "visits.remaining_only", remaining=remaining)
    elif allowed is not None:
        visits = say(language, "visits.allowed", allowed=allowed)
    else:
        visits = say(language, "visits.none")
    period = limit.get("period")
    if period in PERIOD_KEYS and (remaining is not None or allowed is not None):
        visits = f"{visits} {coverage_text(VISITOR, language, f'period.{period}')}"
    facts.append((say(language, "fact.visits"), visits))
    return facts


def _next_step_lines(phone: str) -> set[str]:
    """The engine's own next-step lines: the page shows them once, under its heading."""
    return {
        coverage_text(VISITOR, language, key, phone=phone)
        for language in VISITOR
        for key in ("next", "phone")
    }


def _promise(contact: ContactRecord | None, language: str, phone: str) -> str:
    """What happens next, promised only as far as we can keep it: a call is promised when
    the visitor asked for one (staff's call list has it) and gave a way to reach them."""
    when = say(language, f"when.{(contact.best_time if contact else None) or 'any'}")
    last4 = last_digits(contact.phone if contact else None)
    asked = contact is not None and contact.callback_requested
    if asked and last4:
        return say(language, "next.call_you", last4=last4, when=when)
    if asked and contact is not None and contact.email:
        return say(language, "next.email_you")
    if last4:
        return say(language, "next.offer_known", last4=last4)
    if contact is not None and contact.email:
        return say(language, "next.offer_email")
    return say(language, "next.no_contact", phone=phone)


def page_for(
    view: dict[str, Any], language: str, phone: str, contact: ContactRecord | None = None
) -> dict[str, Any]:
    """Plain text only: the renderers escape it (Jinja) or set it as textContent (JS).

    ``contact``: what the visitor gave on the form (or since, on a result page), which
    decides what we promise and whether a call back is offered.
    """
    status, reason = view["status"], view.get("reason")
    summary = view.get("summary") or {}
    final = status in lifecycle.FINAL
    if status == lifecycle.RETRY_WAIT:
        words = [coverage_text(VISITOR, language, "unavailable"), say(language, "retry_hint")]
    elif final:
        # The coverage engine's sentences in the visitor's language, one per line.
        shown_below = _next_step_lines(phone)
        lines = plain_text_in(summary, language).splitlines()
        words = [line for line in lines if line and line not in shown_below]
        if reason in ("member_not_found", "invalid_input"):
            words.append(say(language, "not_found_hint"))
    else:
        words = [say(language, "checking_hint")]
    estimate = summary.get("estimate") or {}
    reachable = contact is not None and bool(contact.phone or contact.email)
    asked = reachable and contact is not None and contact.callback_requested
    return {
        "id": view["id"],
        "status": status,
        "final": final,
        "headline": _headline(status, reason, language),
        "words": words,
        "facts": _facts(summary, language) if final else [],
        "assumptions": assumptions_for(estimate, language) if final else [],
        "next": [_promise(contact, language, phone)] if final else [],
        # Until a call is asked for: the call-back form, or (a number already given) one
        # button that asks for the call at that number.
        "offer_callback": (final or status == lifecycle.RETRY_WAIT) and not asked,
        "contact_known": last_digits(contact.phone if contact else None) if reachable else None,
        "email_known": bool(reachable and contact is not None and contact.email),
        "try_again": reason in ("member_not_found", "invalid_input"),
    }


def last_digits(phone: str | None) -> str | None:
    """The last four digits a page may show of a number (never the whole of it)."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else None

"""A verification of benefits done by phone: a first-class, sealed record.

The coordinator types what the payer's rep said into the same fields as the grid. The
structured answer becomes a manual attempt (a CoverageSummary, like an electronic one, so
the grid and the queue read it the same way); who said it (rep, call reference, line
called, the time of the call), the notes and the values exactly as typed are sealed in
``phone_vobs.record_enc``. The answer is compared with the latest electronic answer for
the same level of care, and every field the two disagree on is flagged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from verifier.coverage.model import (
    Accumulator,
    Amounts,
    Copay,
    Coverage,
    CoverageStatus,
    CoverageSummary,
    Estimate,
    Network,
    NetworkStatus,
    Preauthorization,
    Tier,
    TierBenefits,
    VisitLimit,
)
from verifier.coverage.stored import stored_summary
from verifier.domain import Condition, LevelOfCare
from verifier.runtime import Runtime
from verifier.staff import grid
from verifier.staff.accounts import Staff
from verifier.staff.errors import NotFoundError
from verifier.store.models import Attempt, PhoneVob, Verification
from verifier.store.records import seal, unseal
from verifier.verifications import lifecycle
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks import events as webhook_events

log = logging.getLogger(__name__)
PURPOSE = "phone_vob"
UNREADABLE = "(unreadable)"
BASIS = "stated by the payer's representative"

# Form field suffix -> (accumulator, level, part) for each tier's money fields.
ACCUMULATOR_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("deductible_total", "deductible", "individual", "total"),
    ("deductible_remaining", "deductible", "individual", "remaining"),
    ("family_deductible_total", "deductible", "family", "total"),
    ("family_deductible_remaining", "deductible", "family", "remaining"),
    ("out_of_pocket_total", "out_of_pocket", "individual", "total"),
    ("out_of_pocket_remaining", "out_of_pocket", "individual", "remaining"),
    ("family_out_of_pocket_total", "out_of_pocket", "family", "total"),
    ("family_out_of_pocket_remaining", "out_of_pocket", "family", "remaining"),
)


@dataclass(frozen=True)
class PhoneCall:
    """Who said it and when: sealed, it names people and a call."""

    rep_name: str
    reference_number: str
    called_at: dt.datetime
    phone_line: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class PhoneVobEntry:
    """A phone VOB as entered: the call, the parsed fields, and the text as typed."""

    call: PhoneCall
    level_of_care: LevelOfCare
    fields: Mapping[str, Any]  # parsed values (Decimal, int, bool, date, str) by form name
    typed: Mapping[str, str] = field(default_factory=dict)


def _tier(fields: Mapping[str, Any], tier: Tier) -> TierBenefits:
    prefix = tier.value
    parts: dict[tuple[str, str], dict[str, Decimal | None]] = {}
    for suffix, kind, level, part in ACCUMULATOR_FIELDS:
        parts.setdefault((kind, level), {})[part] = fields.get(f"{prefix}_{suffix}")

    def accumulator(kind: str) -> Accumulator:
        return Accumulator(
            Amounts(**parts[(kind, "individual")]), Amounts(**parts[(kind, "family")])
        )

    return TierBenefits(
        covered=fields.get(f"{prefix}_covered"),
        copay=Copay(fields.get(f"{prefix}_copay"), fields.get(f"{prefix}_copay_per")),
        coinsurance=fields.get(f"{prefix}_coinsurance"),
        deductible=accumulator("deductible"),
        out_of_pocket=accumulator("out_of_pocket"),
    )


def _evidence(entry: PhoneVobEntry) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each value typed, cited as a phone entry (the rep's name stays sealed)."""
    when = entry.call.called_at.strftime("%Y-%m-%d %H:%M UTC")
    source = (f"manual entry: phone VOB, call of {when}",)
    paths = []
    for name, value in entry.fields.items():
        if value is None:
            continue
        for tier in Tier:
            if name.startswith(tier.value + "_"):
                rest = name.removeprefix(tier.value + "_")
                path = _tier_path(rest)
                if path:
                    paths.append(f"{tier.value}.{path}")
        if name in _PLAN_PATHS:
            paths.append(_PLAN_PATHS[name])
    return tuple((path, source) for path in dict.fromkeys(paths))


_PLAN_PATHS = {
    "coverage_status": "coverage.status",
    "plan_name": "coverage.plan_name",
    "group_number": "coverage.group_number",
    "plan_begin": "coverage.plan_begin",
    "plan_end": "coverage.plan_end",
    "network_status": "network.status",
    "preauthorization_required": "preauthorization.required",
    "visits_allowed": "visit_limit.allowed",
    "visits_used": "visit_limit.used",
    "visits_remaining": "visit_limit.remaining",
}


def _tier_path(rest: str) -> str | None:
    if rest in ("copay", "coinsurance", "covered"):
        return rest
    for suffix, kind, level, part in ACCUMULATOR_FIELDS:
        if rest == suffix:
            return f"{kind}.{level}.{part}"
    return None


def summary_of(entry: PhoneVobEntry, condition: Condition) -> CoverageSummary:
    """The phone answer as a CoverageSummary; every field not said stays "not reported"."""
    f = entry.fields
    network = f.get("network_status") or NetworkStatus.UNKNOWN.value
    allowed, used, remaining = (
        f.get("visits_allowed"),
        f.get("visits_used"),
        f.get("visits_remaining"),
    )
    if remaining is None and allowed is not None and used is not None:
        remaining = max(allowed - used, 0)
    return CoverageSummary(
        level_of_care=entry.level_of_care,
        condition=condition,
        coverage=Coverage(
            status=CoverageStatus(f.get("coverage_status") or CoverageStatus.UNKNOWN.value),
            plan_name=f.get("plan_name"),
            group_number=f.get("group_number"),
            plan_begin=f.get("plan_begin"),
            plan_end=f.get("plan_end"),
        ),
        network=Network(NetworkStatus(network), BASIS if f.get("network_status") else ""),
        preauthorization=Preauthorization(
            f.get("preauthorization_required"),
            ("manual entry: phone VOB",) if f.get("preauthorization_required") is not None else (),
        ),
        administrator=None,
        in_network=_tier(f, Tier.IN_NETWORK),
        out_of_network=_tier(f, Tier.OUT_OF_NETWORK),
        visit_limit=VisitLimit(allowed, used, remaining, f.get("visits_period")),
        estimate=Estimate(),
        evidence=_evidence(entry),
    )


# What is compared with the electronic answer: the grid's own words for each field.
def _facts(summary: CoverageSummary) -> dict[str, tuple[str, str]]:
    """field path -> (label, value as the grid shows it)."""
    facts: dict[str, tuple[str, str]] = {}
    for row in grid.tier_rows(summary):
        for tier, cell in zip(("in network", "out of network"), row.cells, strict=True):
            facts[f"{tier.replace(' ', '_')}.{row.key}"] = (f"{row.label}, {tier}", cell.text)
    c, v = summary.coverage, summary.visit_limit
    facts["coverage.status"] = (
        "Coverage",
        c.status.value if c.status is not CoverageStatus.UNKNOWN else grid.NOT_REPORTED,
    )
    facts["coverage.plan_end"] = (
        "Plan ends",
        c.plan_end.isoformat() if c.plan_end else grid.NOT_REPORTED,
    )
    facts["network.status"] = (
        "Network",
        summary.network.status.value.replace("_", " ")
        if summary.network.status is not NetworkStatus.UNKNOWN
        else grid.NOT_REPORTED,
    )
    facts["preauthorization.required"] = (
        "Preauthorization",
        grid.yes_no(summary.preauthorization.required, "required", "not required"),
    )
    for key, label, value in (
        ("visit_limit.allowed", "Visits or days allowed", v.allowed),
        ("visit_limit.used", "Visits or days used", v.used),
        ("visit_limit.remaining", "Visits or days left", v.remaining),
    ):
        facts[key] = (label, grid.NOT_REPORTED if value is None else str(value))
    return facts


def differences(phone: CoverageSummary, electronic: CoverageSummary) -> list[dict[str, str]]:
    """Each field the rep stated that the electronic answer says otherwise (or not at all)."""
    said, stored = _facts(phone), _facts(electronic)
    found = []
    for path, (label, value) in said.items():
        if value == grid.NOT_REPORTED:
            continue
        other = stored[path][1]
        tier = path.removesuffix(".copay")
        if tier != path and phone.tier(Tier(tier)).copay.per is None:
            # "$30" said without "per visit": the same copay as "$30.00 per visit".
            amounts = (
                phone.tier(Tier(tier)).copay.amount,
                electronic.tier(Tier(tier)).copay.amount,
            )
            if amounts[0] == amounts[1]:
                continue
        if other != value:
            found.append({"field": path, "label": label, "phone": value, "electronic": other})
    return found


def _latest_electronic(session: Any, verification_id: str, level: str) -> Attempt | None:
    return session.execute(
        select(Attempt)
        .where(
            Attempt.verification_id == verification_id,
            Attempt.adapter != "manual",
            Attempt.level_of_care == level,
            Attempt.summary.is_not(None),
        )
        .order_by(Attempt.number.desc(), Attempt.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def record(runtime: Runtime, staff: Staff, verification_id: str, entry: PhoneVobEntry) -> int:
    """Store the phone VOB (sealed), as a manual attempt; return the attempt number.

    A finished (or waiting) verification becomes completed with this answer; a check on
    its way keeps its run, and its answer will be the newer one.
    """
    now = utcnow()
    with runtime.db.session() as session:
        row = session.get(Verification, verification_id)
        if row is None:
            raise NotFoundError(verification_id)
        summary = summary_of(entry, Condition(row.condition))
        stored = summary.to_dict() | {"source": "manual"}
        taken = session.execute(
            update(Verification)
            .where(Verification.id == verification_id)
            .values(attempt_count=Verification.attempt_count + 1, updated_at=now)
            .returning(Verification.attempt_count, Verification.payer_id)
            .execution_options(synchronize_session=False)
        ).one()
        number, payer_id = int(taken[0]), taken[1]
        session.add(
            Attempt(
                verification_id=verification_id,
                number=number,
                started_at=now,
                finished_at=now,
                adapter="manual",
                payer_id=payer_id,
                outcome="manual",
                level_of_care=entry.level_of_care.value,
                summary=stored,
                error_codes=[],
            )
        )
        electronic = _latest_electronic(session, verification_id, entry.level_of_care.value)
        compared = stored_summary(electronic.summary) if electronic is not None else None
        vob = PhoneVob(
            verification_id=verification_id,
            attempt_number=number,
            level_of_care=entry.level_of_care.value,
            called_at=entry.call.called_at,
            entered_at=now,
            entered_by=staff.email,
            record_enc="pending",
            compared_attempt=electronic.number if compared is not None else None,  # type: ignore[union-attr]
            differences=differences(summary, compared) if compared is not None else None,
        )
        session.add(vob)
        session.flush()
        vob.record_enc = seal(runtime.keyring, PURPOSE, str(vob.id), _sealed_text(entry))
        completed = lifecycle.complete_by_phone(session, verification_id, now, "verified by phone")
        if completed:
            session.execute(
                update(Verification)
                .where(Verification.id == verification_id)
                .values(summary=stored)
                .execution_options(synchronize_session=False)
            )
        # Webhooks: verification.completed (reason "manual"), in the same transaction.
        hooked = webhook_events.completed_by_phone(session, runtime, verification_id, completed)
    webhook_events.kick(runtime, hooked)
    return int(number)


def _sealed_text(entry: PhoneVobEntry) -> str:
    call = entry.call
    return json.dumps(
        {
            "rep_name": call.rep_name,
            "reference_number": call.reference_number,
            "called_at": call.called_at.isoformat(),
            "phone_line": call.phone_line,
            "notes": call.notes,
            "typed": dict(entry.typed),
        },
        sort_keys=True,
    )


def phone_vobs(runtime: Runtime, verification_id: str) -> list[dict[str, Any]]:
    """The phone VOBs on file, newest first, opened (PHI: for an audited staff read)."""
    with runtime.db.session() as session:
        rows = session.execute(
            select(PhoneVob)
            .where(PhoneVob.verification_id == verification_id)
            .order_by(PhoneVob.id.desc())
        ).scalars()
        found = []
        for row in rows:
            try:
                opened = json.loads(unseal(runtime.keyring, PURPOSE, str(row.id), row.record_enc))
            except (ValueError, KeyError, TypeError):  # DecryptionError: shown, not a dead page
                log.warning("phone VOB %s: record cannot be read", row.id)
                opened = {
                    "rep_name": UNREADABLE,
                    "reference_number": UNREADABLE,
                    "called_at": row.called_at.isoformat(),
                    "phone_line": None,
                    "notes": "",
                    "typed": {},
                }
            found.append(
                opened
                | {
                    "id": row.id,
                    "attempt": row.attempt_number,
                    "level_of_care": row.level_of_care,
                    "entered_at": row.entered_at.isoformat(),
                    "entered_by": row.entered_by,
                    "compared_attempt": row.compared_attempt,
                    "differences": row.differences,
                }
            )
        return found

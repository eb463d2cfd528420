"""Preauthorization and the carve-out administrator.

Preauthorization is read from the program's own EBs and from plan-wide (30) EBs: EB11 Y, a
MSG that says precert / prior authorization is required, or a 2120 X3 (utilization
management organization). EB11 N counts as "not required" only on the program's own codes: a
plan-wide N says nothing about a behavioural-health program. Any "required" wins over a "not
required": telling a family to expect an authorization is the safe mistake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from verifier.coverage.ladders import CARVE_OUT_STCS, Ladder
from verifier.coverage.model import Administrator, Preauthorization
from verifier.coverage.reading import Trail, is_plan_wide, rank, render_eb
from verifier.domain import Benefit, RelatedEntity

PRECERT = re.compile(
    r"PRE-?CERT|PRE-?AUTH|PRIOR\s+AUTH|PRIOR\s+APPROVAL|AUTHORI[SZ]ATION\s+(?:IS\s+)?REQUIRED",
    re.IGNORECASE,
)
NEGATED = re.compile(r"\bNOT\s+REQUIRED\b|\bNO\s+(?:PRE|PRIOR|AUTH)", re.IGNORECASE)
UM_ORGANIZATION = "X3"
CARVE_OUT_INFO = frozenset({"U", "R"})
PHONE_QUALIFIERS = ("TE", "WP")


def read_preauthorization(benefits: Sequence[Benefit], ladder: Ladder) -> Preauthorization:
    yes: list[str] = []
    no: list[str] = []
    for b in benefits:
        own = rank(b, ladder) is not None
        if not own and not is_plan_wide(b):
            continue
        flag = (b.authorization_required or "").upper()
        if flag == "Y":
            yes.append(f"EB11=Y on {render_eb(b)}")
        elif flag == "N" and own:
            no.append(f"EB11=N on {render_eb(b)}")
        for text in b.messages:
            if PRECERT.search(text) and not NEGATED.search(text):
                yes.append(f"MSG: {text} (on {render_eb(b)})")
        for entity in b.related_entities:
            if entity.entity_code == UM_ORGANIZATION:
                name = entity.name or entity.identifier or "unnamed"
                yes.append(f"2120 X3 utilization management organization {name}")
    if yes:
        return Preauthorization(required=True, evidence=tuple(yes + no))
    if no:
        return Preauthorization(required=False, evidence=tuple(no))
    return Preauthorization()


def read_administrator(
    benefits: Sequence[Benefit], ladder: Ladder, trail: Trail
) -> Administrator | None:
    """EB U (contact this entity) or R (other payer) on a behavioural-health code + 2120."""
    for b in benefits:
        if b.info not in CARVE_OUT_INFO:
            continue
        if rank(b, ladder) is None and not CARVE_OUT_STCS & set(b.service_types):
            continue
        for entity in b.related_entities:
            found = _administrator(entity)
            if found is not None:
                trail.cite("administrator", render_eb(b), f"2120 NM1*{entity.entity_code}")
                return found
        trail.note(f"{render_eb(b)} points to another entity but does not name it.")
    return None


def _administrator(entity: RelatedEntity) -> Administrator | None:
    phone = None
    for qualifier in PHONE_QUALIFIERS:
        for contact in entity.contacts:
            for comm_qualifier, value in contact.communications:
                if phone is None and comm_qualifier == qualifier and value.strip():
                    phone = value.strip()
    if entity.name is None and entity.identifier is None and phone is None:
        return None
    return Administrator(name=entity.name, payer_id=entity.identifier, phone=phone)

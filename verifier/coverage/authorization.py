"""Preauthorization and the carve-out administrator.

Preauthorization (DESIGN §7, issue 14): evidence counts only where it applies to the
requested program: its own rows (a ladder service type and, where the row names one, one of
the program's places of service). On those rows, EB11 Y/N, a MSG that speaks of
precertification (and not of another level of care), and a 2120 X3 utilization-management
entity are the answers; the most specific rung with an answer decides, and a yes and a no
in that rung are a conflict: not reported, the evidence listed. "May be required" is
``required: null`` with the evidence. Only when the program's rows say nothing does a
plan-wide (30) EB11=Y, precert MSG or X3 count; a plan-wide N says nothing about a
behavioural-health program. Rows for other care (another level's text on a shared MH row,
another place of service's EB11=Y) are listed for staff, never counted.

Carve-outs: a U (contact) or R (other payer) row names an administrator for the condition
its service types cover: substance-use codes (AI, AJ, AK and the SUD ladder) for a
substance-use program, mental-health codes (MH, A4, A6, A7, A8 and the MH ladder) for a
mental-health program. A row naming only the other condition's codes is not this
program's administrator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verifier.coverage.ladders import Ladder
from verifier.coverage.model import Administrator, Preauthorization
from verifier.coverage.reading import (
    Trail,
    is_plan_wide,
    most_specific,
    other_place,
    rank,
    render_eb,
    scoped_rank,
)
from verifier.domain import Benefit, Condition, LevelOfCare, RelatedEntity

PRECERT = re.compile(
    r"PRE-?CERT|PRE-?AUTH|PRIOR\s+AUTH|PRIOR\s+APPROVAL|AUTHORI[SZ]ATION\s+(?:IS\s+)?REQUIRED"
    r"|\bAUTH(?:ORI[SZ]ATION)?\s+REQ",
    re.IGNORECASE,
)
NEGATED = re.compile(
    r"\bNOT\s+(?:BE\s+)?REQUIRED\b|\bNO\s+(?:PRE|PRIOR|AUTH)|\bNOT\s+NEEDED\b"
    r"|\bDOES\s+NOT\s+REQUIRE\b|\bWITHOUT\s+(?:PRE|PRIOR|AUTH)",
    re.IGNORECASE,
)
MAYBE = re.compile(
    r"\bMAY\b|\bMIGHT\b|\bCOULD\b|\bCAN\s+BE\b|\bIF\s+APPLICABLE\b|\bSOME\s+SERVICES\b"
    r"|\bCERTAIN\s+SERVICES\b|\bVARIES\b",
    re.IGNORECASE,
)
# Words that name a level of care in payer text, by the program they are about.
_LEVEL_WORDS: dict[LevelOfCare, re.Pattern[str]] = {
    LevelOfCare.INPATIENT: re.compile(
        r"\bIN-?PATIENT\b|\bADMISSIONS?\b|\bRESIDENTIAL\b|\bDETOX|\bHOSPITAL\s+STAY|\bIP\b",
        re.IGNORECASE),
    LevelOfCare.PHP: re.compile(r"\bPARTIAL\s+HOSP|\bPHP\b", re.IGNORECASE),
    LevelOfCare.IOP: re.compile(r"\bINTENSIVE\s+OUT-?PATIENT\b|\bIOP\b", re.IGNORECASE),
    LevelOfCare.OUTPATIENT: re.compile(
        r"\bOFFICE\s+VISITS?\b|\bOUT-?PATIENT\s+(?:THERAPY|VISITS?|OFFICE)|\bROUTINE\s+OUT",
        re.IGNORECASE),
}
UM_ORGANIZATION = "X3"
CARVE_OUT_INFO = frozenset({"U", "R"})
PHONE_QUALIFIERS = ("TE", "WP")
# Service types that name a condition on their own: MH, A4-A8 psychiatric, BB/BC partial
# hospitalization and day care (psychiatric), BD cognitive therapy, CE-CH mental health
# provider/facility, RT residential psychiatric; AI substance abuse, AJ alcoholism, AK drug
# addiction, CI/CJ substance abuse facility inpatient/outpatient. (AL is vision.)
CONDITION_STCS: dict[Condition, frozenset[str]] = {
    Condition.MENTAL_HEALTH: frozenset({"MH", "A4", "A5", "A6", "A7", "A8", "BB", "BC", "BD",
                                        "CE", "CF", "CG", "CH", "RT"}),
    Condition.SUBSTANCE_USE: frozenset({"AI", "AJ", "AK", "CI", "CJ"}),
}


@dataclass(frozen=True, slots=True)
class _Answer:
    says: bool | None  # True required, False not required, None "may be"
    source: str


def read_preauthorization(
    benefits: Sequence[Benefit], ladder: Ladder, level: LevelOfCare | None = None
) -> Preauthorization:
    own: list[tuple[tuple[int, int], _Answer]] = []
    plan_wide: list[_Answer] = []
    ignored: list[str] = []
    for b in benefits:
        scoped = scoped_rank(b, ladder)
        if scoped is None:
            if rank(b, ladder) is not None and other_place(b, ladder):
                ignored += [f"{a.source} (another place of service)" for a in _answers(b, level,
                                                                                      ignored)]
            elif is_plan_wide(b):
                plan_wide += _answers(b, level, ignored, plan_wide=True)
            continue
        own += [(scoped, a) for a in _answers(b, level, ignored)]
    best = most_specific(own)
    if best is not None:
        answers = best[1]
        evidence = tuple(a.source for a in answers) + tuple(ignored)
        said = {a.says for a in answers if a.says is not None}
        if len(said) == 1:
            return Preauthorization(required=said.pop(), evidence=evidence)
        if said:  # yes and no for the same program and place: not reported
            return Preauthorization(
                required=None,
                evidence=(*evidence, "conflicting answers for this program: not reported"),
            )
        return Preauthorization(required=None, evidence=evidence)
    yes = [a for a in plan_wide if a.says is True]
    maybe = [a for a in plan_wide if a.says is None]
    if yes:
        return Preauthorization(required=True, evidence=tuple(a.source for a in yes + maybe)
                                + tuple(ignored))
    return Preauthorization(required=None, evidence=tuple(a.source for a in maybe)
                            + tuple(ignored))


def _answers(
    b: Benefit, level: LevelOfCare | None, ignored: list[str], plan_wide: bool = False
) -> list[_Answer]:
    found: list[_Answer] = []
    eb = render_eb(b)
    flag = (b.authorization_required or "").upper()
    if flag == "Y":
        found.append(_Answer(True, f"EB11=Y on {eb}"))
    elif flag == "N" and not plan_wide:
        found.append(_Answer(False, f"EB11=N on {eb}"))
    elif flag == "U":
        found.append(_Answer(None, f"EB11=U (unknown) on {eb}"))
    for text in b.messages:
        if not PRECERT.search(text):
            continue
        source = f"MSG: {text} (on {eb})"
        other = _other_level(text, level)
        if other is not None:
            ignored.append(f"{source}: about {other.value} care, not this program")
            continue
        if NEGATED.search(text):
            if not plan_wide:
                found.append(_Answer(False, source))
        elif MAYBE.search(text):
            found.append(_Answer(None, source))
        else:
            found.append(_Answer(True, source))
    for entity in b.related_entities:
        if entity.entity_code == UM_ORGANIZATION:
            name = entity.name or entity.identifier or "unnamed"
            found.append(_Answer(True, f"2120 X3 utilization management organization {name}"))
    return found


def _other_level(text: str, level: LevelOfCare | None) -> LevelOfCare | None:
    """The level of care a message is about, when it names only levels other than ours."""
    if level is None:
        return None
    named = [lvl for lvl, pattern in _LEVEL_WORDS.items() if pattern.search(text)]
    if not named or level in named:
        return None
    return named[0]


def read_administrator(
    benefits: Sequence[Benefit],
    ladder: Ladder,
    trail: Trail,
    condition: Condition | None = None,
) -> Administrator | None:
    """EB U (contact this entity) or R (other payer) for this program's condition + 2120."""
    for b in benefits:
        if b.info not in CARVE_OUT_INFO:
            continue
        if not _administers(b, ladder, condition, trail):
            continue
        for entity in b.related_entities:
            found = _administrator(entity)
            if found is not None:
                trail.cite("administrator", render_eb(b), f"2120 NM1*{entity.entity_code}")
                return found
        trail.note(f"{render_eb(b)} points to another entity but does not name it.")
    return None


def _administers(
    b: Benefit, ladder: Ladder, condition: Condition | None, trail: Trail
) -> bool:
    """Whether a U/R row is about this program's condition (and not only the other's)."""
    codes = set(b.service_types)
    if condition is None:
        return rank(b, ladder) is not None or bool(codes & {"MH", "AI"})
    mine = CONDITION_STCS[condition]
    others = set().union(*(v for k, v in CONDITION_STCS.items() if k is not condition))
    if codes & mine or (rank(b, ladder) is not None and not codes <= others):
        return True
    if codes & others:
        trail.note(
            f"{render_eb(b)} names an administrator for "
            f"{'substance-use' if condition is Condition.MENTAL_HEALTH else 'mental-health'} "
            "care only; it is not this program's."
        )
    return False


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

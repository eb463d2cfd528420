"""Level-of-care ladders: which service type codes (STCs) stand for a program.

There is no STC for IOP and payers differ on which code carries IOP or PHP benefits, so each
(level, condition) pair gets an ordered ladder of codes, most specific first. The engine reads
a value from the most specific rung that reports it, and falls back to ``30`` (health benefit
plan coverage) only for plan-wide values: deductible and out-of-pocket. A copay, coinsurance
or visit limit is only ever read from a code that is legitimately the program's own; the
general codes ``98`` (office visit), ``47``/``48``/``50`` (hospital) and ``30`` never lend one.

This is data: a facility profile may replace any ladder (see ``facility.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from verifier.domain import Condition, LevelOfCare

PLAN_WIDE_STC = "30"


@dataclass(frozen=True, slots=True)
class Ladder:
    """Codes for one (level of care, condition) pair.

    ``inquiry``: the 270 EQ01 list, the single best code first (many payers answer only one).
    ``read``: the 271 EB03 codes that describe this program, most specific first.
    ``procedures``: HCPCS/CPT codes that bill the program (EQ02/EB13); a benefit reported for
    one of them is more specific than any STC.
    ``places_of_service``: the CMS place-of-service codes where the program is delivered, the
    center's usual place first. A row the payer ties to a place (III*ZZ*<POS>) applies only
    when the place is one of these, and a row for an earlier place is more specific than one
    for a later place or for no place: rows split by place are distinct answers, not a
    conflict. Empty: every place applies (and rows with a place are not ranked).
    """

    inquiry: tuple[str, ...]
    read: tuple[str, ...]
    procedures: tuple[str, ...] = ()
    places_of_service: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.read:
            raise ValueError("read: a ladder needs at least one service type code")
        if PLAN_WIDE_STC in self.read:
            # 30 is the plan-wide fallback, never a rung: a copay on 30 is not this program's.
            raise ValueError("read: '30' is the plan-wide fallback, not a rung")
        if not self.inquiry:
            raise ValueError("inquiry: a ladder needs at least one service type code")

    def rank(self, service_types: tuple[str, ...], procedure_code: str | None) -> int | None:
        """0 for a procedure match, 1.. for the rung of the most specific matching STC."""
        if procedure_code is not None and procedure_code in self.procedures:
            return 0
        ranks = [i + 1 for i, code in enumerate(self.read) if code in service_types]
        return min(ranks) if ranks else None

    def place_rank(self, places: tuple[str, ...]) -> int | None:
        """0.. for the program's places in order, after them a row with no place; None for
        a row only about places where the program is not delivered."""
        if not places:
            return len(self.places_of_service)
        if not self.places_of_service:
            return 0
        ranks = [i for i, code in enumerate(self.places_of_service) if code in places]
        return min(ranks) if ranks else None


# Psychotherapy and evaluation codes billed in outpatient mental health (x12-reference §7).
_OUTPATIENT_MH_CPT = ("90791", "90792", "90832", "90834", "90837", "90846", "90847", "90853")
# Outpatient SUD counselling: HCPCS H0004 (individual, per 15 min), H0005 (group) plus the CPT
# psychotherapy codes, which SUD programs also bill.
_OUTPATIENT_SUD = ("H0004", "H0005", "90832", "90834", "90837", "90853")

_MH = Condition.MENTAL_HEALTH
_SUD = Condition.SUBSTANCE_USE

# Places of service (CMS POS codes): 11 office, 02/10 telehealth (other than / in the home),
# 53 community mental health center, 57/58 non-residential SUD / opioid treatment facility,
# 22/19 outpatient hospital on / off campus, 52 psychiatric facility partial hospitalization,
# 51 inpatient psychiatric facility, 21 inpatient hospital, 55 residential SUD treatment
# facility, 56 psychiatric residential treatment center. A facility profile overrides them.
# Inquiry lists start with MH / AI: CORE requires a payer to return MH for a generic inquiry,
# so it is the code most payers answer; the specific codes follow for payers that take several.
# Inpatient programs are billed on a UB-04 with revenue codes (psych room and board, residential),
# which a 5010 270 cannot ask about (NU is not an allowed EQ02/EB13 qualifier): no procedures.
DEFAULT_LADDERS: Mapping[tuple[LevelOfCare, Condition], Ladder] = {
    (LevelOfCare.OUTPATIENT, _MH): Ladder(
        inquiry=("MH", "A6", "A8", "CF", "30"),
        # A6 psychotherapy and A8 psychiatric outpatient are the service itself; CF/CH the
        # outpatient provider/facility; MH and A4 the broad category. Not 98: an office-visit
        # copay is the medical plan's, not the therapy benefit's.
        read=("A6", "A8", "CF", "CH", "MH", "A4"),
        procedures=_OUTPATIENT_MH_CPT,
        places_of_service=("11", "53", "22", "19", "02", "10"),
    ),
    (LevelOfCare.IOP, _MH): Ladder(
        inquiry=("MH", "A8", "CH", "30"),
        read=("A8", "CH", "CF", "MH", "A4"),
        procedures=("S9480",),
        places_of_service=("22", "19", "53", "11", "02", "10"),
    ),
    (LevelOfCare.PHP, _MH): Ladder(
        inquiry=("MH", "BB", "CH", "30"),
        read=("BB", "CH", "A8", "MH", "A4"),
        procedures=("H0035", "S0201"),
        places_of_service=("52", "22", "19", "53"),
    ),
    (LevelOfCare.INPATIENT, _MH): Ladder(
        inquiry=("MH", "A7", "CG", "A5", "30"),
        read=("A7", "CG", "A5", "RT", "CE", "MH", "A4"),
        places_of_service=("51", "21", "56"),
    ),
    (LevelOfCare.OUTPATIENT, _SUD): Ladder(
        inquiry=("AI", "CJ", "AK", "AJ", "30"),
        read=("CJ", "AI", "AK", "AJ"),
        procedures=_OUTPATIENT_SUD,
        places_of_service=("11", "57", "58", "53", "22", "19", "02", "10"),
    ),
    (LevelOfCare.IOP, _SUD): Ladder(
        inquiry=("AI", "CJ", "AK", "AJ", "30"),
        read=("CJ", "AI", "AK", "AJ"),
        procedures=("H0015",),
        places_of_service=("57", "22", "19", "53", "58", "11", "02", "10"),
    ),
    (LevelOfCare.PHP, _SUD): Ladder(
        inquiry=("AI", "CJ", "AK", "AJ", "30"),
        read=("CJ", "AI", "AK", "AJ"),
        procedures=("S0201",),
        places_of_service=("52", "57", "22", "19"),
    ),
    (LevelOfCare.INPATIENT, _SUD): Ladder(
        inquiry=("AI", "CI", "AK", "AJ", "30"),
        read=("CI", "AI", "AK", "AJ"),
        places_of_service=("55", "21", "51"),
    ),
}

# Where a behavioural-health carve-out administrator is named (EB U/R), beyond the ladder.
CARVE_OUT_STCS = frozenset({"MH", "AI"})


def default_ladder(level: LevelOfCare, condition: Condition) -> Ladder:
    return DEFAULT_LADDERS[(level, condition)]


# Words a form, a widget or a staff member may use for the condition. Gambling disorder
# (ICD-10-CM F63.0, an impulse disorder) is mental health, not substance use.
_CONDITION_WORDS = {
    "mental_health": Condition.MENTAL_HEALTH,
    "mental health": Condition.MENTAL_HEALTH,
    "gambling": Condition.MENTAL_HEALTH,
    "gambling_disorder": Condition.MENTAL_HEALTH,
    "gambling disorder": Condition.MENTAL_HEALTH,
    "substance_use": Condition.SUBSTANCE_USE,
    "substance use": Condition.SUBSTANCE_USE,
    "alcohol": Condition.SUBSTANCE_USE,
    "drugs": Condition.SUBSTANCE_USE,
}


def condition_of(value: str) -> Condition:
    """A condition word or an ICD-10-CM code -> the ladder's condition (F10-F19 are SUD)."""
    word = value.strip().lower()
    if word in _CONDITION_WORDS:
        return _CONDITION_WORDS[word]
    code = word.upper().replace(".", "")
    if len(code) >= 3 and code[0] == "F" and code[1:3].isdigit():
        return Condition.SUBSTANCE_USE if 10 <= int(code[1:3]) <= 19 else Condition.MENTAL_HEALTH
    raise ValueError(f"unknown condition: {value!r}")

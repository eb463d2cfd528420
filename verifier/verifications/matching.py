"""The member-matching ladder: the next safe way to ask when the payer cannot match the member.

Pure functions over the 270's people, the payer's AAAs and the payer's directory traits; the
check (``verifier.verifications.rematch``) sends each variant as its own attempt. Sources:

- X12 005010X279A1 (the 270/271 TR3) §1.4.8 *Search Options*: besides the primary search
  (member id, first name, last name, date of birth) an information source must support the
  required alternate searches built from the member id with fewer names, and *may* support a
  Name/Date of Birth search without the member id; one it does not support answers with an
  AAA naming what is missing (X12 RFIs 1103, 1293, 1913). Hence ``alternate_id_dob_last``
  (first name left out) is always allowed and ``alternate_name_dob`` only where the
  directory says the payer searches by name and date of birth. A member id + date of birth
  search with no name (``alternate_id_dob``) is not among the TR3's search options: HIPAA's
  DSMO disapproved mandating it (change request 1140: "many organizations' privacy policies
  prohibit responding to searches that are this general"), so it is tried only where the
  directory says the payer offers it (``capabilities.id_dob_search``).
- The TR3's 2000C/2000D notes: a dependent who can be identified by a unique member id *is*
  the subscriber of the inquiry (the 2000D loop is for a person the payer can identify only
  through a subscriber), hence ``as_subscriber`` for a visitor who is not the policyholder.
- Stedi, *Eligibility troubleshooting* (stedi.com/docs/healthcare/eligibility-troubleshooting):
  name mismatches come back as AAA 65/67/73/75; causes are spelling, nicknames, suffixes in
  the last name field and transposed dates of birth; the fix is to "progressively send
  additional eligibility check requests with fewer patient identity and demographic data
  elements, or different combinations of those". Stedi's blog on BCBS responses: a Blue plan
  needs the full member id "including the 3-character BCBS alpha prefix", so a prefix is only
  ever *dropped* (the visitor typed one the plan does not use), never invented.

The "never" list is enforced here, not by callers: every variant is made only from what the
visitor typed (no other person's data, no invented prefix), the date of birth is never changed
except by swapping day and month when the payer said 58/71 and both readings are real dates,
and only steps the facility enabled are offered, at most its budget of extra calls.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from verifier.domain import EligibilityRequest, Person, Relationship, RequestError
from verifier.payers.directory import Capabilities

# AAA03 codes that say "the payer could not match the member" (2100C and their 2100D twins).
ID_CODES = frozenset({"72", "64"})  # invalid/missing subscriber (72) or patient (64) id
NAME_CODES = frozenset({"73", "65"})  # invalid/missing subscriber (73) or patient (65) name
DOB_CODES = frozenset({"58", "71"})  # invalid/missing DOB; DOB does not match the record
NOT_FOUND_CODES = frozenset({"75", "67", "68", "76", "77"})
MATCHING_CODES = ID_CODES | NAME_CODES | DOB_CODES | NOT_FOUND_CODES
MEMBER_LOOPS = frozenset({"2100C", "2100D"})

# Every step, in the order it is tried when the codes allow it, with what staff are told.
LABELS: Mapping[str, str] = {
    "as_subscriber": "as the subscriber with their own member id",
    "member_id_format": "member id without dashes",
    "member_id_prefix": "member id without its alpha prefix",
    "name_suffix": "last name without suffix",
    "name_punctuation": "name without punctuation",
    "name_accents": "name without accents",
    "name_middle": "first name without middle name or initial",
    "surname_first_part": "last name as its first part",
    "surname_second_part": "last name as its second part",
    "member_id_person_code": "member id without its person code",
    "alternate_id_dob_last": "searched by member id, date of birth and last name",
    "alternate_name_dob": "searched by name and date of birth, without member id",
    "alternate_id_dob": "searched by member id and date of birth, without a name",
    "dob_transposed": "date of birth with day and month swapped",
}
STEPS: tuple[str, ...] = tuple(LABELS)

_ID_STEPS = ("member_id_format", "member_id_prefix", "member_id_person_code", "alternate_name_dob")
_NAME_STEPS = (
    "name_suffix",
    "name_punctuation",
    "name_accents",
    "name_middle",
    "surname_first_part",
    "surname_second_part",
    "alternate_id_dob_last",
    "alternate_id_dob",
)
_NOT_FOUND_STEPS = (
    "as_subscriber",
    "member_id_format",
    "member_id_prefix",
    "name_suffix",
    "name_punctuation",
    "name_accents",
    "alternate_id_dob_last",
    "member_id_person_code",
    "name_middle",
    "surname_first_part",
    "surname_second_part",
    "alternate_name_dob",
)

SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV", "V", "2ND", "3RD"})
_PREFIXED_ID = re.compile(r"([A-Z]{3})([A-Z0-9][A-Z0-9\-]{5,})")
_PERSON_CODE = re.compile(r"(.{6,}?)-?(0[1-9])")
_PUNCTUATION = re.compile(r"['.,]")

DEFAULT_EXTRA_CALLS = 3
MAX_EXTRA_CALLS = 10


@dataclass(frozen=True, slots=True)
class MatchingPolicy:
    """The facility's ladder: on or off, its extra-call budget, the steps it allows."""

    enabled: bool = True
    max_extra_calls: int = DEFAULT_EXTRA_CALLS
    steps: frozenset[str] = field(default_factory=lambda: frozenset(STEPS))

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], where: str = "matching") -> MatchingPolicy:
        """``[matching]`` from the facility file; ValueError names the bad key."""
        for key in data:
            if key not in {"enabled", "max_extra_calls", "steps"}:
                raise ValueError(f"{where}.{key}: unknown key")
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValueError(f"{where}.enabled: true or false")
        budget = data.get("max_extra_calls", DEFAULT_EXTRA_CALLS)
        if isinstance(budget, bool) or not isinstance(budget, int) or not (
            0 <= budget <= MAX_EXTRA_CALLS
        ):
            raise ValueError(f"{where}.max_extra_calls: a whole number from 0 to {MAX_EXTRA_CALLS}")
        raw_steps = data.get("steps", {})
        if not isinstance(raw_steps, Mapping):
            raise ValueError(f"{where}.steps: a table of step = true/false is required")
        steps = set(STEPS)
        for key, value in raw_steps.items():
            if key not in LABELS:
                raise ValueError(f"{where}.steps.{key}: unknown step ({', '.join(STEPS)})")
            if not isinstance(value, bool):
                raise ValueError(f"{where}.steps.{key}: true or false")
            if not value:
                steps.discard(key)
        return cls(enabled=enabled, max_extra_calls=budget, steps=frozenset(steps))


@dataclass(frozen=True, slots=True)
class Search:
    """Who a 270 names: the subscriber (2100C) and, for a dependent, the patient (2100D)."""

    subscriber: Person
    dependent: Person | None
    relationship: Relationship


@dataclass(frozen=True, slots=True)
class Variant:
    step: str
    search: Search

    @property
    def label(self) -> str:
        return LABELS[self.step]


def search_of(request: EligibilityRequest) -> Search:
    return Search(request.subscriber, request.dependent, request.relationship)


def with_search(request: EligibilityRequest, search: Search) -> EligibilityRequest:
    return replace(
        request,
        subscriber=search.subscriber,
        dependent=search.dependent,
        relationship=search.relationship,
    )


def matching_errors(errors: Iterable[RequestError]) -> tuple[RequestError, ...]:
    """The AAAs of a member loop that say the member could not be matched."""
    return tuple(e for e in errors if e.loop in MEMBER_LOOPS and e.reject_code in MATCHING_CODES)


def is_member_mismatch(errors: Sequence[RequestError]) -> bool:
    """Only a rejection made *entirely* of member-matching AAAs is worth another search: a
    provider, payer or configuration AAA beside them would fail every variant the same way."""
    return bool(errors) and len(matching_errors(errors)) == len(errors)


def candidates(
    request: EligibilityRequest,
    own_member_id: str | None,
    errors: Sequence[RequestError],
    capabilities: Capabilities,
    policy: MatchingPolicy,
) -> list[Variant]:
    """The variants worth sending, in order, at most the policy's budget; none repeats the
    original search or another variant."""
    if not policy.enabled or policy.max_extra_calls <= 0 or not is_member_mismatch(errors):
        return []
    codes = {e.reject_code for e in errors}
    order: list[str] = []
    if codes & NOT_FOUND_CODES:
        order += _NOT_FOUND_STEPS
    if codes & ID_CODES:
        order += _ID_STEPS
    if codes & NAME_CODES:
        order += _NAME_STEPS
    if codes & DOB_CODES:
        order.append("dob_transposed")
    loops = {e.loop for e in errors}
    original = search_of(request)
    seen = [original]
    found: list[Variant] = []
    for step in dict.fromkeys(order):  # first mention wins, duplicates dropped
        if step not in policy.steps:
            continue
        search = _variant(step, original, own_member_id, loops, capabilities)
        if search is None or search in seen:
            continue
        seen.append(search)
        found.append(Variant(step, search))
        if len(found) == policy.max_extra_calls:
            break
    return found


def _variant(
    step: str,
    search: Search,
    own_member_id: str | None,
    loops: set[str],
    capabilities: Capabilities,
) -> Search | None:
    subscriber, dependent = search.subscriber, search.dependent
    if step == "as_subscriber":
        # Not the policyholder, but holds a card of their own: the TR3's subscriber.
        if dependent is None or not own_member_id:
            return None
        patient = replace(dependent, member_id=own_member_id)
        return Search(patient, None, Relationship.SELF)
    if step in ("member_id_format", "member_id_prefix", "member_id_person_code"):
        fixed = _member_id(step, subscriber.member_id, capabilities)
        if fixed is None:
            return None
        return replace(search, subscriber=replace(subscriber, member_id=fixed))
    if step == "alternate_name_dob":
        if not capabilities.name_dob_search or not subscriber.member_id:
            return None
        return replace(search, subscriber=replace(subscriber, member_id=None))
    if step == "alternate_id_dob":
        # The subscriber only (2100D has no member id of its own), where the payer offers it.
        if not capabilities.id_dob_search or dependent is not None or not subscriber.member_id:
            return None
        nameless = replace(subscriber, first_name="", last_name="", middle_name=None)
        return replace(search, subscriber=nameless)
    if step == "alternate_id_dob_last":
        person = _person_in_error(search, loops)
        if not person.first_name or not (person.member_id or dependent is not None):
            return None
        return _replace_person(search, person, replace(person, first_name=""))
    if step == "dob_transposed":
        person = _person_in_error(search, loops)
        swapped = transposed(person.date_of_birth)
        if swapped is None:
            return None
        return _replace_person(search, person, replace(person, date_of_birth=swapped))
    person = _person_in_error(search, loops)
    changed = _name_variant(step, person)
    if changed is None or changed == person:
        return None
    return _replace_person(search, person, changed)


def _person_in_error(search: Search, loops: set[str]) -> Person:
    """The person the payer could not match: the patient (2100D) unless only 2100C erred."""
    if search.dependent is not None and loops != {"2100C"}:
        return search.dependent
    return search.subscriber


def _replace_person(search: Search, old: Person, new: Person) -> Search:
    if search.dependent is not None and search.dependent is old:
        return replace(search, dependent=new)
    return replace(search, subscriber=new)


def _member_id(step: str, member_id: str | None, capabilities: Capabilities) -> str | None:
    if not member_id:
        return None
    if step == "member_id_format":
        fixed = re.sub(r"[\s\-]", "", member_id)
        return fixed if fixed and fixed != member_id else None
    if step == "member_id_prefix":
        if not capabilities.blue_plan:
            return None
        match = _PREFIXED_ID.fullmatch(member_id)
        return match.group(2) if match else None
    match = _PERSON_CODE.fullmatch(member_id)
    return match.group(1).rstrip("-") if match else None


def _name_variant(step: str, person: Person) -> Person | None:
    last, first = person.last_name, person.first_name
    if step == "name_suffix":
        return replace(person, last_name=without_suffix(last))
    if step == "name_punctuation":
        return replace(
            person,
            last_name=_spaces(_PUNCTUATION.sub("", last)),
            first_name=_spaces(_PUNCTUATION.sub("", first)),
        )
    if step == "name_accents":
        return replace(person, last_name=unaccented(last), first_name=unaccented(first))
    if step == "name_middle":
        words = first.split()
        return replace(person, first_name=words[0], middle_name=None) if len(words) > 1 else None
    parts = surname_parts(without_suffix(last))
    if len(parts) < 2:
        return None
    return replace(person, last_name=parts[0] if step == "surname_first_part" else parts[-1])


def _spaces(text: str) -> str:
    return " ".join(text.split())


def without_suffix(last_name: str) -> str:
    """"SMITH JR." / "SMITH, III" -> "SMITH"; a name that is only a suffix is kept."""
    words = re.split(r"[\s,]+", last_name.strip())
    while len(words) > 1 and words[-1].rstrip(".").upper() in SUFFIXES:
        words.pop()
    return " ".join(words)


def surname_parts(last_name: str) -> list[str]:
    """A hyphenated or two-word surname's parts ("GARCIA-LOPEZ" -> GARCIA, LOPEZ)."""
    return [part for part in re.split(r"[\s\-]+", last_name.strip()) if part]


def unaccented(text: str) -> str:
    """NFKD, combining marks dropped ("MUÑOZ" -> "MUNOZ"): letters the payer's file may
    hold without their accents (the 270's basic character set has none)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def transposed(date_of_birth: dt.date) -> dt.date | None:
    """The same date with day and month swapped, when that is a different, real date."""
    if date_of_birth.day == date_of_birth.month or date_of_birth.day > 12:
        return None
    try:
        return date_of_birth.replace(month=date_of_birth.day, day=date_of_birth.month)
    except ValueError:
        return None


# What a visitor is asked to check when nothing matched (keys of coverage.messages VISITOR).
CHECKS = ("member_id", "name", "date_of_birth", "policyholder")


def what_to_check(codes: Iterable[str]) -> tuple[str, ...]:
    """The fields a visitor should compare with the card, the payer's named ones first.

    A "not found" names no field, so every check is listed; CORE rule 259 asks the receiver to
    tell the user which error condition it was, which the order does.
    """
    codes = set(codes)
    named: list[str] = []
    if codes & ID_CODES:
        named.append("member_id")
    if codes & NAME_CODES:
        named.append("name")
    if codes & DOB_CODES:
        named.append("date_of_birth")
    if not named or codes & NOT_FOUND_CODES:
        named += [check for check in CHECKS if check not in named]
    return tuple(named)

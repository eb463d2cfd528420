"""A payer's member file, searched the way the 270/271 TR3 says an information source does.

Built from the published rules, not from verifier's code:

- X12 005010X279A1 §1.4.8 (as quoted in X12 RFIs 1103, 1293 and 1913, x12.org): with the
  member id, first name, last name and date of birth (the primary search) the payer must
  answer found or not found; an inquiry with fewer elements is an *alternate* search; the
  member id + date of birth + last name search is one every payer supports, the Name/Date of
  Birth search (no member id) is optional, and a payer that does not support it answers with
  an AAA naming what is missing (here 72, the missing member id).
- A member id + date of birth search with no name is not a TR3 search option: HIPAA's DSMO
  disapproved mandating it (change request 1140, hipaa-dsmo.org: "many organizations'
  privacy policies prohibit responding to searches that are this general"). A payer that
  does not offer it answers 73 (the name is missing); one that does finds by id and date.
- The AAA03 codes a payer uses per loop (X12 element 901, 2100C: 71/72/73/75; 2100D: 65/67),
  and Stedi's troubleshooting page (stedi.com/docs/healthcare/eligibility-troubleshooting)
  for which ones name mismatches produce (65/67/73/75).

Names and ids compare exactly (upper-cased, as the 270 carries them): the point of the
fake is that it does NOT forgive a nickname, a suffix or a transposed date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tests.fakes.x12_responses import BENEFITS, ResultFor
from verifier.domain import EligibilityRequest, EligibilityResult, MemberResult, Party, Person
from verifier.x12.aaa import aaa_error


@dataclass(frozen=True)
class Enrolled:
    member_id: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    dependents: tuple[Enrolled, ...] = ()

    def is_named(self, person: Person) -> bool:
        first = person.first_name.upper()
        return person.last_name.upper() == self.last_name and first in ("", self.first_name)


def roster(
    members: Sequence[Enrolled], *, name_dob_search: bool = False, id_dob_search: bool = False
) -> ResultFor:
    """A ``ResultFor`` (see ``x12_responses.answer``) that answers from ``members``."""

    def result(request: EligibilityRequest) -> EligibilityResult:
        payer = Party("FAKE HEALTH PLAN", "PI", request.payer_id)
        provider = Party(request.provider.organization_name, "XX", request.provider.npi)
        subscriber = request.subscriber
        echoed = MemberResult(
            loop="2100C",
            first_name=subscriber.first_name or None,
            last_name=subscriber.last_name,
            member_id=subscriber.member_id,
            date_of_birth=subscriber.date_of_birth,
        )

        def refuse(code: str, loop: str = "2100C") -> EligibilityResult:
            error = aaa_error(loop, "Y", code, "C")
            if loop == "2100D" and request.dependent is not None:
                dependent = MemberResult(
                    loop="2100D",
                    first_name=request.dependent.first_name,
                    last_name=request.dependent.last_name,
                    date_of_birth=request.dependent.date_of_birth,
                    errors=(error,),
                )
                return EligibilityResult(payer, provider, subscriber=echoed, dependent=dependent)
            return EligibilityResult(
                payer, provider, subscriber=dataclasses.replace(echoed, errors=(error,))
            )

        found = _find(members, subscriber, name_dob_search, id_dob_search)
        if isinstance(found, str):
            return refuse(found)
        if not subscriber.last_name:  # found without a name: the 271 names the member
            echoed = dataclasses.replace(
                echoed, first_name=found.first_name, last_name=found.last_name
            )
        dependent = request.dependent
        if dependent is None:
            matched = dataclasses.replace(echoed, benefits=BENEFITS)
            return EligibilityResult(payer, provider, subscriber=matched)
        for person in found.dependents:
            if person.is_named(dependent) and person.date_of_birth == dependent.date_of_birth:
                patient = MemberResult(
                    loop="2100D",
                    first_name=dependent.first_name,
                    last_name=dependent.last_name,
                    date_of_birth=dependent.date_of_birth,
                    benefits=BENEFITS,
                )
                return EligibilityResult(payer, provider, subscriber=echoed, dependent=patient)
        return refuse("67", "2100D")

    return result


def _find(
    members: Sequence[Enrolled], person: Person, name_dob_search: bool, id_dob_search: bool
) -> Enrolled | str:
    """The one member this search finds, or the AAA03 the payer answers instead."""
    if not person.member_id:
        if not name_dob_search:
            return "72"  # insufficient identifying elements: the member id is missing
        hits = [
            m
            for m in members
            if m.is_named(person) and person.first_name and m.date_of_birth == person.date_of_birth
        ]
        return hits[0] if len(hits) == 1 else "75"
    by_id = [m for m in members if m.member_id == person.member_id.upper()]
    if not by_id:
        return "75"
    member = by_id[0]
    if member.date_of_birth != person.date_of_birth:
        return "71"
    if not person.last_name and not person.first_name:
        return member if id_dob_search else "73"
    if not member.is_named(person):
        return "73"
    return member

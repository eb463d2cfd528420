"""Several transactions about the same member are one answer (DESIGN §7).

Payers split an answer: one ST set per service type asked, a second interchange with the
behavioural-health rows, a repeat of the first. Reading only the first loses benefits;
reading them apart shows two different answers for one family. Merged, the benefits of
both are in one list, so the coverage rules see every row: two rows that disagree about
the same field are a conflict there ("not reported", noted), never a silent choice.

Answers are the same member's when the payer (id, else name) and the patient's member id,
names and birth date match; an answer with no patient (an AAA at the payer or provider
level) is merged with no other.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

from verifier.domain import EligibilityResult, MemberResult, Party

T = TypeVar("T", bound=Hashable)

_Person = tuple[str | None, ...]


def member_identity(result: EligibilityResult) -> tuple[str | None, list[_Person]] | None:
    """Who an answer is about (payer, then each person), or None when it names no one."""
    if result.patient is None:
        return None
    people = [_person(m) for m in (result.subscriber, result.dependent) if m is not None]
    if not any(person[0] or person[1] for person in people):
        return None
    payer = result.payer
    return _norm(payer.identifier) or _norm(payer.name), people


def same_member(a: EligibilityResult, b: EligibilityResult) -> bool:
    """Same payer and the same people: every field both answers state is equal.

    A field only one answer states (a birth date echoed in one ST set and not the other)
    does not tell them apart; a member id or last name must be stated by both.
    """
    first, second = member_identity(a), member_identity(b)
    if first is None or second is None or first[0] != second[0]:
        return False
    if len(first[1]) != len(second[1]):
        return False
    for one, other in zip(first[1], second[1], strict=True):
        if not any(x is not None and y is not None for x, y in zip(one[:2], other[:2],
                                                                   strict=True)):
            return False
        for x, y in zip(one, other, strict=True):
            if x is not None and y is not None and x != y:
                return False
    return True


def merge_by_member(results: Sequence[EligibilityResult]) -> list[EligibilityResult]:
    """The answers with those about the same member merged, in first-seen order."""
    groups: list[list[EligibilityResult]] = []
    for result in results:
        for group in groups:
            if same_member(group[0], result):
                group.append(result)
                break
        else:
            groups.append([result])
    return [merge(group) for group in groups]


def merge(results: Sequence[EligibilityResult]) -> EligibilityResult:
    """One answer from several about the same member."""
    first = results[0]
    if len(results) == 1:
        return first
    warnings = _union(w for r in results for w in r.warnings)
    warnings.append(
        f"{len(results)} transactions about the same member were merged into one answer"
    )
    return EligibilityResult(
        payer=_merge_party([r.payer for r in results]),
        provider=first.provider,
        subscriber=_merge_member([r.subscriber for r in results]),
        dependent=_merge_member([r.dependent for r in results]),
        version=first.version,
        control_number=first.control_number,
        interchange_control_number=first.interchange_control_number,
        warnings=tuple(warnings),
        transaction_date=first.transaction_date,
    )


def _merge_party(parties: list[Party]) -> Party:
    first = parties[0]
    return Party(
        name=first.name,
        id_qualifier=first.id_qualifier,
        identifier=first.identifier,
        contacts=tuple(_union(c for p in parties for c in p.contacts)),
        errors=tuple(_union(e for p in parties for e in p.errors)),
    )


def _merge_member(members: list[MemberResult | None]) -> MemberResult | None:
    present = [m for m in members if m is not None]
    if not present:
        return None
    first = present[0]
    if len(present) == 1:
        return first

    def pick(name: str) -> object:
        return next((getattr(m, name) for m in present if getattr(m, name) not in (None, ())),
                    getattr(first, name))

    return MemberResult(
        loop=first.loop,
        first_name=pick("first_name"),  # type: ignore[arg-type]
        last_name=pick("last_name"),  # type: ignore[arg-type]
        middle_name=pick("middle_name"),  # type: ignore[arg-type]
        member_id=pick("member_id"),  # type: ignore[arg-type]
        date_of_birth=pick("date_of_birth"),  # type: ignore[arg-type]
        gender=pick("gender"),  # type: ignore[arg-type]
        relationship_code=pick("relationship_code"),  # type: ignore[arg-type]
        traces=tuple(_union(t for m in present for t in m.traces)),
        references=tuple(_union(r for m in present for r in m.references)),
        dates=tuple(_union(d for m in present for d in m.dates)),
        errors=tuple(_union(e for m in present for e in m.errors)),
        benefits=tuple(_union(b for m in present for b in m.benefits)),
        address_lines=pick("address_lines"),  # type: ignore[arg-type]
        city=pick("city"),  # type: ignore[arg-type]
        state=pick("state"),  # type: ignore[arg-type]
        postal_code=pick("postal_code"),  # type: ignore[arg-type]
    )


def _person(member: MemberResult) -> tuple[str | None, ...]:
    born = member.date_of_birth.isoformat() if member.date_of_birth else None
    return (_norm(member.member_id), _norm(member.last_name), _norm(member.first_name), born)


def _norm(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split()).upper()
    return value or None


def _union(items: Iterable[T]) -> list[T]:
    """Items in first-seen order, each once (a repeated transaction adds nothing)."""
    return list(dict.fromkeys(items))

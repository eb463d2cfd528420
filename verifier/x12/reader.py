"""Read a 271 eligibility response into domain objects.

The loop structure is driven by HL03 (20 payer, 21 provider, 22 subscriber, 23 dependent),
EB (a new 2110 benefit) and LS/LE (2120 related entities), not by a full TR3 map: payers
bend segment order, and a tolerant reader that keeps every EB is worth more to intake staff
than a strict one that refuses the response. Whatever is off becomes a warning naming the
segment position and id, never its content.

``read_271_all`` returns one result per subscriber/dependent HL chain (a batch interchange
can hold many); ``read_271`` returns the first and warns when there were more. A 999 or TA1
rejection raises ``X12Rejected``; anything else that is not a 271 raises ``X12ParseError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from verifier.domain import (
    Benefit,
    Contact,
    DateInfo,
    DeliveryLimit,
    EligibilityResult,
    MemberResult,
    Party,
    ProcedureCode,
    Reference,
    RelatedEntity,
    RequestError,
    Trace,
)
from verifier.x12 import codes, values
from verifier.x12.acks import not_an_eligibility_response
from verifier.x12.envelope import (
    MAX_WARNINGS,
    Interchange,
    TransactionSet,
    parse_interchange,
    segment_label,
)
from verifier.x12.retry import request_error

__all__ = ["read_271", "read_271_all", "read_response"]


def read_271_all(data: bytes | str) -> list[EligibilityResult]:
    """Every subscriber/dependent answer in the interchange, in order."""
    interchange = parse_interchange(data)
    transactions = [t for t in interchange.transactions if t.set_id == "271"]
    if not transactions:
        raise not_an_eligibility_response(interchange)
    results: list[EligibilityResult] = []
    for transaction in transactions:
        results.extend(_TransactionReader(interchange, transaction).read())
    return results


def read_271(data: bytes | str) -> EligibilityResult:
    """The first answer of the interchange (see ``read_271_all`` for batches)."""
    results = read_271_all(data)
    first = results[0]
    if len(results) > 1:
        note = f"interchange holds {len(results)} answers; read_271 returned the first"
        first = _with_warning(first, note)
    return first


def read_response(data: bytes | str) -> EligibilityResult:
    """A payer's answer: a 271, or ``X12Rejected`` for a 999/TA1 rejection."""
    return read_271(data)


def _with_warning(result: EligibilityResult, warning: str) -> EligibilityResult:
    return EligibilityResult(
        payer=result.payer,
        provider=result.provider,
        subscriber=result.subscriber,
        dependent=result.dependent,
        version=result.version,
        control_number=result.control_number,
        interchange_control_number=result.interchange_control_number,
        warnings=(*result.warnings, warning),
    )


def _v(segment: list[str], index: int) -> str | None:
    if index < len(segment):
        value = segment[index].strip()
        if value:
            return value
    return None


def _s(segment: list[str], index: int) -> str:
    return segment[index].strip() if index < len(segment) else ""


def _contact(segment: list[str]) -> Contact:
    pairs = []
    for index in (3, 5, 7):
        qualifier, number = _v(segment, index), _v(segment, index + 1)
        if qualifier and number:
            pairs.append((qualifier, number))
    return Contact(function_code=_v(segment, 1), name=_v(segment, 2), communications=tuple(pairs))


class _PartyDraft:
    __slots__ = ("children", "contacts", "errors", "hl_id", "id_qualifier", "identifier",
                 "name", "named", "parent")

    def __init__(self, hl_id: str, parent: _PartyDraft | None) -> None:
        self.hl_id = hl_id
        self.parent = parent
        self.children: list[_PartyDraft | _MemberDraft] = []
        self.name: str | None = None
        self.id_qualifier: str | None = None
        self.identifier: str | None = None
        self.contacts: list[Contact] = []
        self.errors: list[RequestError] = []
        self.named = False

    def build(self) -> Party:
        return Party(
            name=self.name,
            id_qualifier=self.id_qualifier,
            identifier=self.identifier,
            contacts=tuple(self.contacts),
            errors=tuple(self.errors),
        )


class _EntityDraft:
    __slots__ = ("address_lines", "city", "contacts", "entity_code", "id_qualifier",
                 "identifier", "name", "postal_code", "provider_code", "provider_id",
                 "provider_id_qualifier", "state")

    def __init__(self, entity_code: str) -> None:
        self.entity_code = entity_code
        self.name: str | None = None
        self.id_qualifier: str | None = None
        self.identifier: str | None = None
        self.contacts: list[Contact] = []
        self.address_lines: tuple[str, ...] = ()
        self.city: str | None = None
        self.state: str | None = None
        self.postal_code: str | None = None
        self.provider_code: str | None = None
        self.provider_id_qualifier: str | None = None
        self.provider_id: str | None = None

    def build(self) -> RelatedEntity:
        return RelatedEntity(
            entity_code=self.entity_code,
            name=self.name,
            id_qualifier=self.id_qualifier,
            identifier=self.identifier,
            contacts=tuple(self.contacts),
            address_lines=self.address_lines,
            city=self.city,
            state=self.state,
            postal_code=self.postal_code,
            provider_code=self.provider_code,
            provider_id_qualifier=self.provider_id_qualifier,
            provider_id=self.provider_id,
        )


# EB01..EB13 as Benefit's first thirteen fields, in order.
_EBFields = tuple[
    str, str | None, tuple[str, ...], str | None, str | None, str | None, Decimal | None,
    Decimal | None, str | None, Decimal | None, str | None, str | None, ProcedureCode | None,
]


class _BenefitDraft:
    __slots__ = ("dates", "entities", "errors", "fields", "limits", "messages", "references")

    def __init__(self, fields: _EBFields) -> None:
        self.fields = fields  # EB01..EB13 in Benefit's field order
        self.limits: list[DeliveryLimit] = []
        self.references: list[Reference] = []
        self.dates: list[DateInfo] = []
        self.errors: list[RequestError] = []
        self.messages: list[str] = []
        self.entities: list[_EntityDraft] = []

    def build(self) -> Benefit:
        entities = self.entities
        return Benefit(
            *self.fields,
            tuple(self.limits),
            tuple(self.references),
            tuple(self.dates),
            tuple(self.errors),
            tuple(self.messages),
            tuple(entity.build() for entity in entities) if entities else (),
        )


class _MemberDraft:
    __slots__ = ("address_lines", "benefits", "city", "date_of_birth", "dates", "dependents",
                 "errors", "first_name", "gender", "hl_id", "last_name", "loop", "member_id",
                 "middle_name", "parent", "postal_code", "references", "relationship_code",
                 "state", "traces")

    def __init__(self, loop: str, hl_id: str, parent: _PartyDraft | _MemberDraft | None) -> None:
        self.loop = loop
        self.hl_id = hl_id
        self.parent = parent
        self.dependents: list[_MemberDraft] = []
        self.first_name: str | None = None
        self.last_name: str | None = None
        self.middle_name: str | None = None
        self.member_id: str | None = None
        self.date_of_birth: dt.date | None = None
        self.gender: str | None = None
        self.relationship_code: str | None = None
        self.traces: list[Trace] = []
        self.references: list[Reference] = []
        self.dates: list[DateInfo] = []
        self.errors: list[RequestError] = []
        self.benefits: list[_BenefitDraft] = []
        self.address_lines: tuple[str, ...] = ()
        self.city: str | None = None
        self.state: str | None = None
        self.postal_code: str | None = None

    def build(self) -> MemberResult:
        return MemberResult(
            loop=self.loop,
            first_name=self.first_name,
            last_name=self.last_name,
            middle_name=self.middle_name,
            member_id=self.member_id,
            date_of_birth=self.date_of_birth,
            gender=self.gender,
            relationship_code=self.relationship_code,
            traces=tuple(self.traces),
            references=tuple(self.references),
            dates=tuple(self.dates),
            errors=tuple(self.errors),
            benefits=tuple(benefit.build() for benefit in self.benefits),
            address_lines=self.address_lines,
            city=self.city,
            state=self.state,
            postal_code=self.postal_code,
        )


_MEMBER_LOOPS = {"22": ("2100C", "2110C"), "23": ("2100D", "2110D")}
_EB_PADDING = [[""] * (15 - n) for n in range(15)]
_RESPONSE_BHT02 = frozenset({"11", "06"})


class _TransactionReader:
    """One pass over one 271 transaction set, building drafts, then domain objects."""

    def __init__(self, interchange: Interchange, transaction: TransactionSet) -> None:
        self.interchange = interchange
        self.transaction = transaction
        self.separators = interchange.separators
        self.warnings: list[str] = []
        self.position = transaction.position
        self.by_id: dict[str, _PartyDraft | _MemberDraft] = {}
        self.payers: list[_PartyDraft] = []
        self.last_payer: _PartyDraft | None = None
        self.last_provider: _PartyDraft | None = None
        self.last_subscriber: _MemberDraft | None = None
        self.party: _PartyDraft | None = None
        self.party_loops = ("", "")
        self.member: _MemberDraft | None = None
        self.benefit_loop = "2110C"
        self.benefit: _BenefitDraft | None = None
        self.in_2120 = False
        self.entity: _EntityDraft | None = None
        self.orphans: list[_MemberDraft] = []
        self.handlers: dict[str, Callable[[list[str]], None]] = {
            "BHT": self._bht,
            "HL": self._hl,
            "NM1": self._nm1,
            "PER": self._per,
            "AAA": self._aaa,
            "TRN": self._trn,
            "REF": self._ref,
            "N3": self._n3,
            "N4": self._n4,
            "DMG": self._dmg,
            "INS": self._ins,
            "DTP": self._dtp,
            "EB": self._eb,
            "HSD": self._hsd,
            "MSG": self._msg,
            "LS": self._ls,
            "LE": self._le,
            "PRV": self._prv,
        }

    # -- driver -------------------------------------------------------------------------

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"segment {self.position}: {message}")

    def read(self) -> list[EligibilityResult]:
        segments = self.transaction.segments
        if self.transaction.version is None:
            self.warnings.append("neither ST03 nor GS08 names the implementation version")
        handlers = self.handlers
        start = self.transaction.position
        for offset, segment in enumerate(segments[1:], start=1):  # SE has no handler
            handler = handlers.get(segment[0].strip())
            if handler is not None:
                self.position = start + offset
                handler(segment)
        self._close_member()
        return self._results()

    def _results(self) -> list[EligibilityResult]:
        transaction = self.transaction
        version = transaction.version
        warnings = [*self.interchange.warnings, *transaction.warnings, *self.warnings]
        if (version or "").startswith("004") or self.interchange.isa_version < "00501":
            warnings.append("4010 content (004010X092) read best-effort under 5010 rules")
        chains = self._chains()
        if not chains:
            raise not_an_eligibility_response(self.interchange, empty_271=True)
        frozen_warnings = tuple(warnings)
        results = []
        for payer, provider, subscriber, dependent in chains:
            results.append(
                EligibilityResult(
                    payer=payer.build() if payer is not None else Party(),
                    provider=provider.build() if provider is not None else None,
                    subscriber=subscriber.build() if subscriber is not None else None,
                    dependent=dependent.build() if dependent is not None else None,
                    version=version,
                    control_number=transaction.control_number or None,
                    interchange_control_number=self.interchange.control_number or None,
                    warnings=frozen_warnings,
                )
            )
        return results

    def _chains(
        self,
    ) -> list[tuple[_PartyDraft | None, _PartyDraft | None, _MemberDraft | None,
                    _MemberDraft | None]]:
        chains: list[tuple[_PartyDraft | None, _PartyDraft | None, _MemberDraft | None,
                           _MemberDraft | None]] = []
        for payer in self.payers:
            providers = [c for c in payer.children if isinstance(c, _PartyDraft)]
            if not providers:
                chains.append((payer, None, None, None))
            for provider in providers:
                members = [c for c in provider.children if isinstance(c, _MemberDraft)]
                if not members:
                    chains.append((payer, provider, None, None))
                for subscriber in members:
                    if not subscriber.dependents:
                        chains.append((payer, provider, subscriber, None))
                    for dependent in subscriber.dependents:
                        chains.append((payer, provider, subscriber, dependent))
        for orphan in self.orphans:
            chains.append((None, None, None, orphan) if orphan.loop == "2100D"
                          else (None, None, orphan, None))
        return chains

    # -- loop bookkeeping ---------------------------------------------------------------

    def _close_benefit(self) -> None:
        if self.in_2120:
            self.warn("2120 loop not closed by LE")
        self.in_2120 = False
        self.entity = None
        self.benefit = None

    def _close_member(self) -> None:
        self._close_benefit()
        self.member = None
        self.party = None

    def _parent(self, parent_id: str, fallback: _PartyDraft | _MemberDraft | None
                ) -> _PartyDraft | _MemberDraft | None:
        return self.by_id.get(parent_id, fallback) if parent_id else fallback

    def _hl(self, segment: list[str]) -> None:
        self._close_member()
        hl_id, parent_id, level = _s(segment, 1), _s(segment, 2), _s(segment, 3)
        if level == "20":
            payer = _PartyDraft(hl_id, None)
            self.payers.append(payer)
            self.last_payer = payer
            self.party, self.party_loops = payer, ("2000A", "2100A")
            self.by_id[hl_id] = payer
        elif level == "21":
            parent = self._parent(parent_id, self.last_payer)
            if not isinstance(parent, _PartyDraft):
                parent = self.last_payer
            if parent is None:
                self.warn("HL 21 without an information source")
                parent = _PartyDraft("", None)
                self.payers.append(parent)
                self.last_payer = parent
            provider = _PartyDraft(hl_id, parent)
            parent.children.append(provider)
            self.last_provider = provider
            self.party, self.party_loops = provider, ("2000B", "2100B")
            self.by_id[hl_id] = provider
        elif level in _MEMBER_LOOPS:
            loop, self.benefit_loop = _MEMBER_LOOPS[level]
            member = _MemberDraft(loop, hl_id, None)
            if level == "22":
                self._attach_subscriber(member, parent_id)
            else:
                self._attach_dependent(member, parent_id)
            self.member = member
            self.by_id[hl_id] = member
        else:
            self.warn("HL03 is not 20, 21, 22 or 23; loop skipped")

    def _attach_subscriber(self, member: _MemberDraft, parent_id: str) -> None:
        parent = self._parent(parent_id, self.last_provider)
        if not isinstance(parent, _PartyDraft) or parent.parent is None:
            parent = self.last_provider
        if parent is None:
            self.warn("subscriber HL without an information receiver")
            self.orphans.append(member)
        else:
            member.parent = parent
            parent.children.append(member)
        self.last_subscriber = member

    def _attach_dependent(self, member: _MemberDraft, parent_id: str) -> None:
        parent = self._parent(parent_id, self.last_subscriber)
        if not isinstance(parent, _MemberDraft) or parent.loop != "2100C":
            parent = self.last_subscriber
        if parent is None:
            self.warn("dependent HL without a subscriber")
            self.orphans.append(member)
        else:
            member.parent = parent
            parent.dependents.append(member)

    # -- segments -----------------------------------------------------------------------

    def _bht(self, segment: list[str]) -> None:
        if _s(segment, 2) not in _RESPONSE_BHT02:
            self.warn("BHT02 is not 11 (response) or 06 (confirmation)")

    def _nm1(self, segment: list[str]) -> None:
        code = _s(segment, 1)
        if self.benefit is not None:
            if not self.in_2120:
                self.warn("NM1 after EB without LS; read as a 2120 entity")
                self.in_2120 = True
            entity = _EntityDraft(code)
            entity.name = _entity_name(segment)
            entity.id_qualifier, entity.identifier = _v(segment, 8), _v(segment, 9)
            self.benefit.entities.append(entity)
            self.entity = entity
            return
        member = self.member
        if member is not None:
            member.last_name = _v(segment, 3)
            member.first_name = _v(segment, 4)
            member.middle_name = _v(segment, 5)
            member.member_id = _v(segment, 9)
            return
        party = self.party
        if party is not None:
            party.name = _entity_name(segment)
            party.id_qualifier, party.identifier = _v(segment, 8), _v(segment, 9)
            party.named = True
            return
        self.warn("NM1 outside any loop ignored")

    def _current_entity(self, tag: str) -> _EntityDraft | None:
        if self.benefit is None or not self.in_2120:
            return None
        if self.entity is None:
            self.warn(f"{tag} in a 2120 loop without NM1")
            self.entity = _EntityDraft("")
            self.benefit.entities.append(self.entity)
        return self.entity

    def _per(self, segment: list[str]) -> None:
        entity = self._current_entity("PER")
        if entity is not None:
            entity.contacts.append(_contact(segment))
        elif self.party is not None and self.member is None:
            self.party.contacts.append(_contact(segment))

    def _prv(self, segment: list[str]) -> None:
        entity = self._current_entity("PRV")
        if entity is not None:
            entity.provider_code = _v(segment, 1)
            entity.provider_id_qualifier = _v(segment, 2)
            entity.provider_id = _v(segment, 3)

    def _n3(self, segment: list[str]) -> None:
        lines = tuple(line for line in (_v(segment, 1), _v(segment, 2)) if line)
        entity = self._current_entity("N3")
        if entity is not None:
            entity.address_lines = lines
        elif self.member is not None and self.benefit is None:
            self.member.address_lines = lines

    def _n4(self, segment: list[str]) -> None:
        city, state, postal = _v(segment, 1), _v(segment, 2), _v(segment, 3)
        target: _EntityDraft | _MemberDraft | None = self._current_entity("N4")
        if target is None and self.benefit is None:
            target = self.member
        if target is not None:
            target.city, target.state, target.postal_code = city, state, postal

    def _aaa(self, segment: list[str]) -> None:
        if self.benefit is not None:
            loop = self.benefit_loop
        elif self.member is not None:
            loop = self.member.loop
        elif self.party is not None:
            loop = self.party_loops[1] if self.party.named else self.party_loops[0]
        else:
            self.warn("AAA outside any loop ignored")
            return
        code = _s(segment, 3)
        if not code:
            self.warn("AAA without AAA03 reject reason")
        if code and code not in codes.REJECT_REASONS:
            self.warn("AAA03 code not recognized")
        error = request_error(loop, _s(segment, 1) == "Y", code, _v(segment, 4))
        if self.benefit is not None:
            self.benefit.errors.append(error)
        elif self.member is not None:
            self.member.errors.append(error)
        elif self.party is not None:
            self.party.errors.append(error)

    def _trn(self, segment: list[str]) -> None:
        if self.member is None:
            self.warn("TRN outside a subscriber or dependent loop ignored")
            return
        self.member.traces.append(
            Trace(trace_type=_s(segment, 1), number=_s(segment, 2),
                  originator=_v(segment, 3), secondary=_v(segment, 4))
        )

    def _ref(self, segment: list[str]) -> None:
        if self.in_2120:
            return
        reference = Reference(qualifier=_s(segment, 1), value=_s(segment, 2),
                              description=_v(segment, 3))
        if self.benefit is not None:
            self.benefit.references.append(reference)
        elif self.member is not None:
            self.member.references.append(reference)

    def _dtp(self, segment: list[str]) -> None:
        if self.in_2120:
            return
        format_code, raw = _s(segment, 2), _s(segment, 3)
        start, end = values.period(format_code, raw)
        if start is None and raw:
            self.warn("DTP03 is not a valid date")
        info = DateInfo(qualifier=_s(segment, 1), start=start, end=end, raw=raw)
        if self.benefit is not None:
            self.benefit.dates.append(info)
        elif self.member is not None:
            self.member.dates.append(info)

    def _dmg(self, segment: list[str]) -> None:
        if self.member is None:
            return
        raw = _s(segment, 2)
        born = values.date(raw) if raw else None
        if raw and born is None:
            self.warn("DMG02 is not a valid date")
        self.member.date_of_birth = born
        self.member.gender = _v(segment, 3)

    def _ins(self, segment: list[str]) -> None:
        if self.member is not None:
            self.member.relationship_code = _v(segment, 2)

    def _number(self, segment: list[str], index: int, label: str) -> Decimal | None:
        raw = segment[index].strip() if index < len(segment) else ""
        return self._decimal(raw, label) if raw else None

    def _decimal(self, raw: str, label: str) -> Decimal | None:
        number = values.decimal(raw)
        if number is None:
            self.warn(f"{label} is not a number")
        return number

    def _eb(self, segment: list[str]) -> None:
        self._close_benefit()
        member = self.member
        if member is None:
            self.warn("EB outside a subscriber or dependent loop ignored")
            return
        if len(segment) < 15:
            segment = segment + _EB_PADDING[len(segment)]
        (_, info, level, service, insurance, plan, period, amount, percent, qualifier,
         quantity, authorization, network, composite) = map(str.strip, segment[:14])
        if info not in codes.ELIGIBILITY_BENEFIT_INFO:
            self.warn("EB01 code not recognized" if info else "EB without EB01")
        repetition = self.separators.repetition
        if not service:
            service_types: tuple[str, ...] = ()
        elif repetition is not None and repetition in service:
            service_types = tuple(s for s in (p.strip() for p in service.split(repetition)) if s)
        else:
            service_types = (service,)
        benefit = _BenefitDraft((
            info,
            level or None,
            service_types,
            insurance or None,
            plan or None,
            period or None,
            self._decimal(amount, "EB07") if amount else None,
            self._decimal(percent, "EB08") if percent else None,
            qualifier or None,
            self._decimal(quantity, "EB10") if quantity else None,
            authorization or None,
            network or None,
            self._procedure(composite) if composite else None,
        ))
        member.benefits.append(benefit)
        self.benefit = benefit

    def _procedure(self, raw: str) -> ProcedureCode | None:
        raw = raw.strip()
        if not raw:
            return None
        parts = [p.strip() for p in raw.split(self.separators.component)]
        if len(parts) < 2 or not parts[1]:
            self.warn("EB13 has no procedure code")
        modifiers = tuple(p for p in parts[2:6] if p)
        return ProcedureCode(qualifier=parts[0], code=parts[1] if len(parts) > 1 else "",
                             modifiers=modifiers)

    def _hsd(self, segment: list[str]) -> None:
        if self.benefit is None:
            self.warn("HSD outside a benefit loop ignored")
            return
        self.benefit.limits.append(
            DeliveryLimit(
                quantity_qualifier=_v(segment, 1),
                quantity=self._number(segment, 2, "HSD02"),
                unit=_v(segment, 3),
                sample_modulus=self._number(segment, 4, "HSD04"),
                time_period=_v(segment, 5),
                periods=self._number(segment, 6, "HSD06"),
                calendar_pattern=_v(segment, 7),
                time_code=_v(segment, 8),
            )
        )

    def _msg(self, segment: list[str]) -> None:
        if self.benefit is None or self.in_2120:
            self.warn("MSG outside a benefit loop ignored")
            return
        text = _s(segment, 1)
        if text:
            self.benefit.messages.append(text)

    def _ls(self, segment: list[str]) -> None:
        if self.benefit is None:
            self.warn("LS outside a benefit loop ignored")
            return
        self.in_2120 = True
        self.entity = None

    def _le(self, segment: list[str]) -> None:
        if not self.in_2120:
            self.warn(f"{segment_label(segment)} without LS")
        self.in_2120 = False
        self.entity = None


def _entity_name(segment: list[str]) -> str | None:
    """NM103 for organizations; "LAST, FIRST MIDDLE" for people (NM102 = 1)."""
    last = _v(segment, 3)
    if _s(segment, 2) == "1":
        given = " ".join(p for p in (_v(segment, 4), _v(segment, 5)) if p)
        if given:
            return f"{last}, {given}" if last else given
    return last

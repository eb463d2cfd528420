"""Read a 271 eligibility response into domain objects.

The loop structure is driven by HL03 (20 payer, 21 provider, 22 subscriber, 23 dependent),
EB (a new 2110 benefit) and LS/LE (2120 related entities), not by a full TR3 map: payers
bend segment order, and a tolerant reader that keeps every EB is worth more to intake staff
than a strict one that refuses the response. Whatever is off becomes a warning naming the
segment position and id, never its content.

``read_271_all`` returns one result per subscriber/dependent HL chain, over every ST set of
every interchange in the file (each interchange read with its own ISA's separators and
envelope checks; see ``tokenizer.interchange_texts``). ``read_271`` merges the answers about
the same member into one (``merge``: two ST sets or two interchanges about one member are one
answer) and, for a batch about several members, returns the first with a warning. A 999 or
TA1 rejection raises ``X12Rejected``; anything else that is not a 271 raises
``X12ParseError``.

Speed (issue 3, ``bench/x12_read.py``): one pass, one dict lookup per segment, no
``strip()`` per element unless the tokenizer found a padded element (``Interchange.clean``;
then every element is stripped once up front), domain objects built through their slots
(``fastbuild``), each ``Benefit`` built once at its EB with its companions (HSD, REF, DTP,
AAA, MSG, 2120) stored when the loop closes, lists only for companions that occur, parsed
numbers and dates memoized, no reference cycles among the drafts, and the cyclic garbage
collector paused while reads run (they create no cycles; the pause is shared by
concurrent reads, see ``_pause_gc``).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
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
from verifier.x12.aaa import request_error
from verifier.x12.acks import not_an_eligibility_response
from verifier.x12.envelope import (
    ENVELOPE_TAGS,
    MAX_WARNINGS,
    PADDING,
    Interchange,
    TransactionSet,
    interchange_from_tokens,
    padded,
    segment_label,
    simple_interchange,
)
from verifier.x12.errors import X12ParseError
from verifier.x12.fastbuild import constructor, setter
from verifier.x12.merge import merge_by_member
from verifier.x12.tokenizer import Tokens, interchange_texts, tokenize, utf16_encoding

__all__ = ["read_271", "read_271_all", "read_response"]


def read_271_all(data: bytes | str) -> list[EligibilityResult]:
    """Every subscriber/dependent answer in the file, in order.

    A file may hold several interchanges (each read with its own ISA's separators and
    control numbers); a file-level note (UTF-16 text) is added to every answer.
    """
    _pause_gc()
    try:
        tokens: Tokens | None = None
        if utf16_encoding(data) is None:
            # The common file (one interchange, not UTF-16) is read before looking for
            # others: tokenized whole, with its first ISA's separators, a file with a
            # second interchange never reads on the simple path (the first IEA, followed
            # by segments, is content there, which ends that read), so the answer is the
            # one ``interchange_texts`` would lead to, without its scan for IEAs.
            # Tokenizing fails, if it does, as ``interchange_texts`` would: both read the
            # same ISA first.
            tokens = tokenize(data)
            found = _read_simple(tokens)
            if found is not None:
                return found
        texts, file_warnings = interchange_texts(data)
        if len(texts) == 1 and not file_warnings:
            # One interchange: ``texts[0]`` is the text ``tokens`` were made of.
            return _read_interchange(texts[0], tokens)
        results: list[EligibilityResult] = []
        refused: X12ParseError | None = None
        for number, text in enumerate(texts, 1):
            try:
                found = _read_interchange(text)
            except X12ParseError as error:  # a 999/TA1 or an empty one among several
                refused = refused or error
                continue
            notes = list(file_warnings)
            if len(texts) > 1:
                notes.append(f"interchange {number} of {len(texts)} in the file")
            results.extend(_with_warnings(r, notes) for r in found)
        if not results and refused is not None:
            raise refused
        return results
    finally:
        _resume_gc()


def _read_simple(tokens: Tokens) -> list[EligibilityResult] | None:
    """The answers of the common case, or None when the general path must read it.

    The common case (one ISA/GS/ST..SE/GE/IEA, clean elements) skips the envelope pass:
    the reader's own pass checks that the content holds no envelope segment and, if it
    meets one, declines (None), and the read starts over on the general path.
    """
    interchange = simple_interchange(tokens)
    if interchange is not None and interchange.transactions[0].set_id == "271":
        try:
            return _TransactionReader(interchange, interchange.transactions[0],
                                      simple=True).read()
        except _EnvelopeInContent:
            pass
    return None


def _read_interchange(data: str, tokens: Tokens | None = None) -> list[EligibilityResult]:
    """Every answer of one ISA..IEA interchange (``tokens``: of ``data``, if made already)."""
    if tokens is None:
        tokens = tokenize(data)
        found = _read_simple(tokens)
        if found is not None:
            return found
    # else ``_read_simple`` declined these tokens already
    interchange = interchange_from_tokens(tokens)
    transactions = [t for t in interchange.transactions if t.set_id == "271"]
    if not transactions:
        raise not_an_eligibility_response(interchange)
    results: list[EligibilityResult] = []
    for transaction in transactions:
        results.extend(_TransactionReader(interchange, transaction).read())
    return results


# The cyclic collector is paused while any read runs (see the module docstring): that
# saves about 15 % on one 271 and about 45 % on a 1,000-subscriber batch, where the
# collector otherwise rescans every segment list built so far. The switch is
# process-wide and reads run in worker threads (verifications.check_many), so reads share one
# pause under a lock: the first to start records whether the collector was enabled and
# disables it, the last to finish enables it again if it was. (A per-read
# isenabled/disable/enable, as before, let one read end the pause while another was still
# running, and it was the save-disable-restore shape that, interleaved with another
# such pair, leaves the collector off for good.) What stays process-wide by nature: while
# reads overlap, other threads' cycles wait until the last read ends, and code that
# toggles the collector itself during a read would see it re-enabled afterwards; nothing
# else in this project does.
_gc_lock = threading.Lock()
_gc_readers = 0  # reads in progress
_gc_was_enabled = False  # the collector's state when the first of them started


def _pause_gc() -> None:
    global _gc_readers, _gc_was_enabled
    with _gc_lock:
        if _gc_readers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_readers += 1


def _resume_gc() -> None:
    global _gc_readers
    with _gc_lock:
        _gc_readers -= 1
        if _gc_readers == 0 and _gc_was_enabled:
            gc.enable()


def read_271(data: bytes | str) -> EligibilityResult:
    """The answer about the member: every transaction about them, merged.

    Several ST sets or interchanges about the same member are one answer (``merge``);
    when the file is about several members (a batch), the first member's answer, with a
    warning (see ``read_271_all`` for batches).
    """
    results = read_271_all(data)
    if len(results) == 1:
        return results[0]
    merged = merge_by_member(results)
    first = merged[0]
    if len(merged) > 1:
        note = f"interchange holds {len(merged)} answers; read_271 returned the first"
        first = _with_warning(first, note)
    return first


def read_response(data: bytes | str) -> EligibilityResult:
    """A payer's answer: a 271, or ``X12Rejected`` for a 999/TA1 rejection."""
    return read_271(data)


def _with_warnings(result: EligibilityResult, warnings: list[str]) -> EligibilityResult:
    for warning in warnings:
        result = _with_warning(result, warning)
    return result


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
        transaction_date=result.transaction_date,
    )


# Builders with the dataclasses' own signatures (see ``fastbuild``).
_new_benefit = constructor(Benefit)
_new_contact = constructor(Contact)
_new_date_info = constructor(DateInfo)
_new_limit = constructor(DeliveryLimit)
_new_result = constructor(EligibilityResult)
_new_member = constructor(MemberResult)
_new_party = constructor(Party)
_new_reference = constructor(Reference)
_new_entity = constructor(RelatedEntity)
_new_trace = constructor(Trace)
_set_limits = setter(Benefit, "delivery_limits")
_set_references = setter(Benefit, "references")
_set_dates = setter(Benefit, "dates")
_set_errors = setter(Benefit, "errors")
_set_messages = setter(Benefit, "messages")
_set_entities = setter(Benefit, "related_entities")
_set_industry_codes = setter(Benefit, "industry_codes")

# The handlers read elements as they are: ``_TransactionReader.read`` hands them segments
# whose elements are already stripped (by the tokenizer's ``clean`` check, or by stripping
# them all up front when it fails).


def _v(segment: list[str], index: int) -> str | None:
    return (segment[index] or None) if index < len(segment) else None


def _s(segment: list[str], index: int) -> str:
    return segment[index] if index < len(segment) else ""


def _contact(segment: list[str]) -> Contact:
    segment = padded(segment, 9)
    pairs = []
    for index in (3, 5, 7):
        qualifier, number = segment[index], segment[index + 1]
        if qualifier and number:
            pairs.append((qualifier, number))
    return _new_contact(segment[1] or None, segment[2] or None, tuple(pairs))


# Memoized value parsing: payers repeat the same amounts and plan dates in every answer.
# Bounded, and the keys are bare element values (no names, no ids); birth dates (DMG02)
# are deliberately not memoized.
_CACHE_LIMIT = 4096
_DECIMALS: dict[str, Decimal | None] = {}
_PERIODS: dict[tuple[str, str], tuple[dt.date | None, dt.date | None]] = {}


def _decimal_value(raw: str) -> Decimal | None:
    try:
        return _DECIMALS[raw]
    except KeyError:
        pass
    if len(_DECIMALS) >= _CACHE_LIMIT:
        _DECIMALS.clear()
    number = _DECIMALS[raw] = values.decimal(raw)
    return number


def _period_value(format_code: str, raw: str) -> tuple[dt.date | None, dt.date | None]:
    key = (format_code, raw)
    try:
        return _PERIODS[key]
    except KeyError:
        pass
    if len(_PERIODS) >= _CACHE_LIMIT:
        _PERIODS.clear()
    found = _PERIODS[key] = values.period(format_code, raw)
    return found


class _PartyDraft:
    __slots__ = ("children", "contacts", "errors", "hl_id", "id_qualifier", "identifier",
                 "is_provider", "name", "named")

    def __init__(self, hl_id: str, is_provider: bool) -> None:
        self.hl_id = hl_id
        self.is_provider = is_provider  # an HL 21 under an information source
        self.children: list[_PartyDraft | _MemberDraft] = []
        self.name: str | None = None
        self.id_qualifier: str | None = None
        self.identifier: str | None = None
        self.contacts: list[Contact] = []
        self.errors: list[RequestError] = []
        self.named = False

    def build(self) -> Party:
        return _new_party(self.name, self.id_qualifier, self.identifier, tuple(self.contacts),
                          tuple(self.errors))


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
        return _new_entity(
            self.entity_code, self.name, self.id_qualifier, self.identifier,
            tuple(self.contacts), self.address_lines, self.city, self.state,
            self.postal_code, self.provider_code, self.provider_id_qualifier,
            self.provider_id,
        )


class _MemberDraft:
    __slots__ = ("address_lines", "benefits", "city", "date_of_birth", "dates", "dependents",
                 "errors", "first_name", "gender", "hl_id", "last_name", "loop", "member_id",
                 "middle_name", "postal_code", "references", "relationship_code", "state",
                 "traces")

    def __init__(self, loop: str, hl_id: str) -> None:
        self.loop = loop
        self.hl_id = hl_id
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
        self.benefits: list[Benefit] = []  # each complete once its 2110 loop closed
        self.address_lines: tuple[str, ...] = ()
        self.city: str | None = None
        self.state: str | None = None
        self.postal_code: str | None = None

    def build(self) -> MemberResult:
        return _new_member(
            self.loop, self.first_name, self.last_name, self.middle_name, self.member_id,
            self.date_of_birth, self.gender, self.relationship_code, tuple(self.traces),
            tuple(self.references), tuple(self.dates), tuple(self.errors),
            tuple(self.benefits), self.address_lines, self.city, self.state,
            self.postal_code,
        )


def _built_party(built: dict[int, Party], draft: _PartyDraft | None) -> Party | None:
    if draft is None:
        return None
    party = built.get(id(draft))
    if party is None:
        party = built[id(draft)] = draft.build()
    return party


def _built_member(built: dict[int, MemberResult], draft: _MemberDraft | None
                  ) -> MemberResult | None:
    if draft is None:
        return None
    member = built.get(id(draft))
    if member is None:
        member = built[id(draft)] = draft.build()
    return member


_EB01_CODES = frozenset(codes.ELIGIBILITY_BENEFIT_INFO)
_MEMBER_LOOPS = {"22": ("2100C", "2110C"), "23": ("2100D", "2110D")}
_RESPONSE_BHT02 = frozenset({"11", "06"})
_Chain = tuple["_PartyDraft | None", "_PartyDraft | None", "_MemberDraft | None",
               "_MemberDraft | None"]


class _TransactionReader:
    """One pass over one 271 transaction set, building drafts, then domain objects."""

    __slots__ = ("b_dates", "b_entities", "b_errors", "b_industry", "b_limits", "b_messages",
                 "b_pending", "b_references", "benefit", "benefit_loop", "bht_date", "by_id",
                 "component", "entity",
                 "in_2120", "interchange", "last_payer", "last_provider", "last_subscriber",
                 "member", "orphans", "party", "party_loops", "payers", "position",
                 "repetition", "simple", "transaction", "warnings")

    def __init__(self, interchange: Interchange, transaction: TransactionSet,
                 simple: bool = False) -> None:
        self.interchange = interchange
        self.simple = simple  # from ``simple_interchange``: the content is not yet checked
        self.transaction = transaction
        separators = interchange.separators
        self.repetition = separators.repetition
        self.component = separators.component
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
        self.benefit: Benefit | None = None
        # The open benefit's companions, None until one occurs (b_pending: any occurred).
        self.b_pending = False
        self.b_limits: list[DeliveryLimit] | None = None
        self.b_references: list[Reference] | None = None
        self.b_dates: list[DateInfo] | None = None
        self.b_errors: list[RequestError] | None = None
        self.b_messages: list[str] | None = None
        self.b_entities: list[_EntityDraft] | None = None
        self.b_industry: list[tuple[str, str]] | None = None
        self.bht_date: dt.date | None = None
        self.in_2120 = False
        self.entity: _EntityDraft | None = None
        self.orphans: list[_MemberDraft] = []

    # -- driver -------------------------------------------------------------------------

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"segment {self.position}: {message}")

    def read(self) -> list[EligibilityResult]:
        segments = self.transaction.segments
        if not self.interchange.clean:  # some element is padded: strip them all, once
            segments = [[element.strip() for element in segment] for segment in segments]
        if self.transaction.version is None:
            self.warnings.append("neither ST03 nor GS08 names the implementation version")
        first = self.transaction.position + 1  # of segments[1]
        if self.simple:  # a ``simple_interchange``: envelope ids in the content abort the read
            handlers = _SIMPLE_HANDLERS
            segments = segments[1:-1]  # the SE is not content (it would abort)
        else:
            handlers = _HANDLERS
            segments = segments[1:]  # SE has no handler
        eb = _TransactionReader._eb
        for position, segment in enumerate(segments, first):
            tag = segment[0]
            # The two commonest ids first: a str comparison is cheaper than hashing a tag.
            if tag == "EB":
                eb(self, segment, position)  # stores the position only when it warns
            elif tag == "MSG":  # the _msg handler, inlined: a third of a 271's segments
                if self.benefit is None or self.in_2120:
                    self.position = position
                    self.warn("MSG outside a benefit loop ignored")
                elif len(segment) > 1 and (text := segment[1]):
                    if (messages := self.b_messages) is None:
                        self.b_messages = [text]
                        self.b_pending = True
                    else:
                        messages.append(text)
            elif (handler := handlers.get(tag)) is not None:
                self.position = position
                handler(self, segment)
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
        control_number = transaction.control_number or None
        interchange_control_number = self.interchange.control_number or None
        parties: dict[int, Party] = {}  # a draft shared by several chains is built once
        members: dict[int, MemberResult] = {}
        results = []
        for payer, provider, subscriber, dependent in chains:
            results.append(
                _new_result(
                    _built_party(parties, payer) or _new_party(),
                    _built_party(parties, provider),
                    _built_member(members, subscriber),
                    _built_member(members, dependent),
                    version,
                    control_number,
                    interchange_control_number,
                    frozen_warnings,
                    self.bht_date,
                )
            )
        return results

    def _chains(self) -> list[_Chain]:
        chains: list[_Chain] = []
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
        if not self.b_pending:
            self.benefit = None
            return
        # Store the companions into the benefit: it is not handed out yet.
        benefit = self.benefit
        self.benefit = None
        if self.b_limits is not None:
            _set_limits(benefit, tuple(self.b_limits))
            self.b_limits = None
        if self.b_references is not None:
            _set_references(benefit, tuple(self.b_references))
            self.b_references = None
        if self.b_dates is not None:
            _set_dates(benefit, tuple(self.b_dates))
            self.b_dates = None
        if self.b_errors is not None:
            _set_errors(benefit, tuple(self.b_errors))
            self.b_errors = None
        if self.b_messages is not None:
            _set_messages(benefit, tuple(self.b_messages))
            self.b_messages = None
        if self.b_entities is not None:
            _set_entities(benefit, tuple(entity.build() for entity in self.b_entities))
            self.b_entities = None
        if self.b_industry is not None:
            _set_industry_codes(benefit, tuple(self.b_industry))
            self.b_industry = None
        self.b_pending = False

    def _close_member(self) -> None:
        self._close_benefit()
        self.member = None
        self.party = None

    def _parent(self, parent_id: str, fallback: _PartyDraft | _MemberDraft | None
                ) -> _PartyDraft | _MemberDraft | None:
        return self.by_id.get(parent_id, fallback) if parent_id else fallback

    def _hl(self, segment: list[str]) -> None:
        self._close_member()
        segment = padded(segment, 4)
        _, hl_id, parent_id, level = segment[:4]
        if level == "20":
            payer = _PartyDraft(hl_id, False)
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
                parent = _PartyDraft("", False)
                self.payers.append(parent)
                self.last_payer = parent
            provider = _PartyDraft(hl_id, True)
            parent.children.append(provider)
            self.last_provider = provider
            self.party, self.party_loops = provider, ("2000B", "2100B")
            self.by_id[hl_id] = provider
        elif level in _MEMBER_LOOPS:
            loop, self.benefit_loop = _MEMBER_LOOPS[level]
            member = _MemberDraft(loop, hl_id)
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
        if not isinstance(parent, _PartyDraft) or not parent.is_provider:
            parent = self.last_provider
        if parent is None:
            self.warn("subscriber HL without an information receiver")
            self.orphans.append(member)
        else:
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
            parent.dependents.append(member)

    # -- segments -----------------------------------------------------------------------

    def _bht(self, segment: list[str]) -> None:
        if _s(segment, 2) not in _RESPONSE_BHT02:
            self.warn("BHT02 is not 11 (response) or 06 (confirmation)")
        raw = _s(segment, 4)
        if raw:
            self.bht_date = _period_value("D8", raw)[0]

    def _nm1(self, segment: list[str]) -> None:
        if len(segment) < 10:
            segment = segment + PADDING[10 - len(segment)]
        if self.benefit is not None:
            if not self.in_2120:
                self.warn("NM1 after EB without LS; read as a 2120 entity")
                self.in_2120 = True
            entity = _EntityDraft(segment[1])
            entity.name = _entity_name(segment)
            entity.id_qualifier = segment[8] or None
            entity.identifier = segment[9] or None
            self._add_entity(entity)
            return
        member = self.member
        if member is not None:
            member.last_name = segment[3] or None
            member.first_name = segment[4] or None
            member.middle_name = segment[5] or None
            member.member_id = segment[9] or None
            return
        party = self.party
        if party is not None:
            party.name = _entity_name(segment)
            party.id_qualifier = segment[8] or None
            party.identifier = segment[9] or None
            party.named = True
            return
        self.warn("NM1 outside any loop ignored")

    def _add_entity(self, entity: _EntityDraft) -> None:
        if self.b_entities is None:
            self.b_entities = [entity]
            self.b_pending = True
        else:
            self.b_entities.append(entity)
        self.entity = entity

    def _current_entity(self, tag: str) -> _EntityDraft | None:
        if self.benefit is None or not self.in_2120:
            return None
        if self.entity is None:
            self.warn(f"{tag} in a 2120 loop without NM1")
            self._add_entity(_EntityDraft(""))
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
        if len(segment) < 4:
            segment = segment + PADDING[4 - len(segment)]
        city, state, postal = segment[1] or None, segment[2] or None, segment[3] or None
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
            if self.b_errors is None:
                self.b_errors = [error]
                self.b_pending = True
            else:
                self.b_errors.append(error)
        elif self.member is not None:
            self.member.errors.append(error)
        elif self.party is not None:
            self.party.errors.append(error)

    def _trn(self, segment: list[str]) -> None:
        if self.member is None:
            self.warn("TRN outside a subscriber or dependent loop ignored")
            return
        segment = padded(segment, 5)
        self.member.traces.append(
            _new_trace(segment[1], segment[2], segment[3] or None, segment[4] or None)
        )

    def _ref(self, segment: list[str]) -> None:
        if self.in_2120:
            return
        segment = padded(segment, 4)
        reference = _new_reference(segment[1], segment[2], segment[3] or None)
        if self.benefit is not None:
            if self.b_references is None:
                self.b_references = [reference]
                self.b_pending = True
            else:
                self.b_references.append(reference)
        elif self.member is not None:
            self.member.references.append(reference)

    def _dtp(self, segment: list[str]) -> None:
        if self.in_2120:
            return
        segment = padded(segment, 4)
        raw = segment[3]
        start, end = _period_value(segment[2], raw)
        if start is None and raw:
            self.warn("DTP03 is not a valid date")
        info = _new_date_info(segment[1], start, end, raw)
        if self.benefit is not None:
            if self.b_dates is None:
                self.b_dates = [info]
                self.b_pending = True
            else:
                self.b_dates.append(info)
        elif self.member is not None:
            self.member.dates.append(info)

    def _dmg(self, segment: list[str]) -> None:
        if self.member is None:
            return
        raw = _s(segment, 2)
        born = values.date(raw) if raw else None  # not memoized: a birth date is PHI
        if raw and born is None:
            self.warn("DMG02 is not a valid date")
        self.member.date_of_birth = born
        self.member.gender = _v(segment, 3)

    def _ins(self, segment: list[str]) -> None:
        if self.member is not None:
            self.member.relationship_code = _v(segment, 2)

    def _decimal(self, raw: str, label: str, position: int | None = None) -> Decimal | None:
        number = _decimal_value(raw)
        if number is None:
            if position is not None:
                self.position = position
            self.warn(f"{label} is not a number")
        return number

    def _eb(self, segment: list[str], position: int) -> None:
        # ``position`` is stored (for ``warn``) only on the paths that may warn.
        if self.in_2120 or self.b_pending:
            self.position = position
            self._close_benefit()  # else nothing to close: entity is None outside a 2120
        member = self.member
        if member is None:
            self.position = position
            self.warn("EB outside a subscriber or dependent loop ignored")
            return
        count = len(segment)
        if count != 14:
            segment = segment + PADDING[14 - count] if count < 14 else segment[:14]
        (_, info, level, service, insurance, plan, period, amount, percent, qualifier,
         quantity, authorization, network, composite) = segment
        if info not in _EB01_CODES:
            self.position = position
            self.warn("EB01 code not recognized" if info else "EB without EB01")
        if not service:
            service_types: tuple[str, ...] = ()
        elif (repetition := self.repetition) is not None and repetition in service:
            service_types = tuple(s for s in (p.strip() for p in service.split(repetition)) if s)
        else:
            service_types = (service,)
        benefit = _new_benefit(
            info,
            level or None,
            service_types,
            insurance or None,
            plan or None,
            period or None,
            (_DECIMALS.get(amount) or self._decimal(amount, "EB07", position))
            if amount else None,
            (_DECIMALS.get(percent) or self._decimal(percent, "EB08", position))
            if percent else None,
            qualifier or None,
            (_DECIMALS.get(quantity) or self._decimal(quantity, "EB10", position))
            if quantity else None,
            authorization or None,
            network or None,
            self._procedure(composite, position) if composite else None,
        )
        member.benefits.append(benefit)
        self.benefit = benefit

    def _procedure(self, raw: str, position: int) -> ProcedureCode | None:
        raw = raw.strip()
        if not raw:
            return None
        parts = [p.strip() for p in raw.split(self.component)]
        if len(parts) < 2 or not parts[1]:
            self.position = position
            self.warn("EB13 has no procedure code")
        modifiers = tuple(p for p in parts[2:6] if p)
        return ProcedureCode(qualifier=parts[0], code=parts[1] if len(parts) > 1 else "",
                             modifiers=modifiers)

    def _hsd(self, segment: list[str]) -> None:
        if self.benefit is None:
            self.warn("HSD outside a benefit loop ignored")
            return
        count = len(segment)
        if count != 9:
            segment = segment + PADDING[9 - count] if count < 9 else segment[:9]
        _, unit_qualifier, quantity, unit, modulus, period, periods, pattern, time = segment
        limit = _new_limit(
            unit_qualifier or None,
            (_DECIMALS.get(quantity) or self._decimal(quantity, "HSD02")) if quantity else None,
            unit or None,
            (_DECIMALS.get(modulus) or self._decimal(modulus, "HSD04")) if modulus else None,
            period or None,
            (_DECIMALS.get(periods) or self._decimal(periods, "HSD06")) if periods else None,
            pattern or None,
            time or None,
        )
        if self.b_limits is None:
            self.b_limits = [limit]
            self.b_pending = True
        else:
            self.b_limits.append(limit)

    def _iii(self, segment: list[str]) -> None:
        if self.benefit is None or self.in_2120:
            self.warn("III outside a benefit loop ignored")
            return
        qualifier, code = _s(segment, 1), _s(segment, 2)
        if not code:
            self.warn("III without III02 industry code")
            return
        if self.b_industry is None:
            self.b_industry = [(qualifier, code)]
            self.b_pending = True
        else:
            self.b_industry.append((qualifier, code))

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


_HANDLERS: dict[str, Callable[[_TransactionReader, list[str]], None]] = {
    "BHT": _TransactionReader._bht,
    "HL": _TransactionReader._hl,
    "NM1": _TransactionReader._nm1,
    "PER": _TransactionReader._per,
    "AAA": _TransactionReader._aaa,
    "TRN": _TransactionReader._trn,
    "REF": _TransactionReader._ref,
    "N3": _TransactionReader._n3,
    "N4": _TransactionReader._n4,
    "DMG": _TransactionReader._dmg,
    "INS": _TransactionReader._ins,
    "DTP": _TransactionReader._dtp,
    "HSD": _TransactionReader._hsd,
    "LS": _TransactionReader._ls,
    "LE": _TransactionReader._le,
    "PRV": _TransactionReader._prv,
    "III": _TransactionReader._iii,
}


class _EnvelopeInContent(Exception):
    """A simple interchange's content held an envelope segment: read on the general path."""


def _envelope_in_content(reader: _TransactionReader, segment: list[str]) -> None:
    raise _EnvelopeInContent


# ``_HANDLERS`` plus every envelope segment id, which ends a ``simple_interchange`` read.
_SIMPLE_HANDLERS = {**_HANDLERS, **dict.fromkeys(ENVELOPE_TAGS, _envelope_in_content)}


def _entity_name(segment: list[str]) -> str | None:
    """NM103 for organizations; "LAST, FIRST MIDDLE" for people (NM102 = 1)."""
    last = _v(segment, 3)
    if _s(segment, 2) == "1":
        given = " ".join(p for p in (_v(segment, 4), _v(segment, 5)) if p)
        if given:
            return f"{last}, {given}" if last else given
    return last

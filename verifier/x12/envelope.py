"""Group tokenized segments into transaction sets and check the envelope around them.

Payers and published samples get counts and control numbers wrong (SE01, ST02/SE02,
GE02/GS06, IEA02/ISA13) while the content is fine, so every envelope defect is a warning
here, not a failure: refusing a readable 271 over a trailer count helps no one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from verifier.x12.errors import X12ParseError
from verifier.x12.tokenizer import Separators, Tokens, tokenize

MAX_WARNINGS = 50  # garbage input must not turn into a megabyte of warnings
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")


@dataclass(slots=True)
class TransactionSet:
    """One ST..SE with the functional group facts it was sent under."""

    set_id: str  # ST01: 270, 271, 999 ...
    control_number: str  # ST02
    version: str | None  # ST03, else GS08
    functional_id: str | None  # GS01: HS, HB, FA
    position: int  # segment index of the ST (1-based, ISA = 1)
    segments: list[list[str]] = field(default_factory=list)  # ST..SE inclusive
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    """ISA facts, the transaction sets inside, TA1 acknowledgments and envelope warnings."""

    separators: Separators
    isa_version: str
    control_number: str  # ISA13
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    usage: str  # ISA15: P production, T test
    transactions: list[TransactionSet]
    acknowledgments: list[list[str]]  # TA1 segments
    warnings: list[str]
    clean: bool = False  # ``Tokens.clean``: no element needs strip()


def segment_label(segment: list[str]) -> str:
    """A segment id fit for a message: X12 ids only, never arbitrary (possibly PHI) text."""
    tag = segment[0] if segment else ""
    return tag if _SEGMENT_ID.fullmatch(tag) else "segment"


PADDING = [[""] * n for n in range(16)]  # PADDING[n]: n empty elements, built once


def padded(segment: list[str], length: int) -> list[str]:
    """``segment`` itself, or a copy with empty elements up to ``length`` (at most 15 more)."""
    missing = length - len(segment)
    return segment + PADDING[missing] if missing > 0 else segment


def _element(segment: list[str], index: int) -> str:
    return segment[index].strip() if index < len(segment) else ""


class _Walker:
    """One pass over the segments; keeps just enough state to check the trailers."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.transactions: list[TransactionSet] = []
        self.acknowledgments: list[list[str]] = []
        self.current: TransactionSet | None = None
        self.group: list[str] | None = None
        self.group_transactions = 0
        self.groups = 0
        self.closed = False
        self.trailing_warned = False

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("further envelope warnings suppressed")

    def close_transaction(self, position: int, reason: str) -> None:
        if self.current is not None:
            start = self.current.position
            self.warn(f"segment {position}: {reason} before SE of the ST at segment {start}")
            self.transactions.append(self.current)
            self.current = None

    def gs(self, segment: list[str], position: int) -> None:
        self.close_transaction(position, "GS")
        if self.group is not None:
            self.warn(f"segment {position}: GS before GE of the previous group")
        self.group = segment
        self.group_transactions = 0
        self.groups += 1
        if len(segment) < 9 or not segment[8].strip():
            self.warn(f"segment {position}: GS has no GS08 version")

    def st(self, segment: list[str], position: int) -> None:
        self.close_transaction(position, "ST")
        version = _element(segment, 3) or (_element(self.group, 8) if self.group else "")
        if self.group is None:
            self.warn(f"segment {position}: ST outside a functional group")
        self.current = TransactionSet(
            set_id=_element(segment, 1),
            control_number=_element(segment, 2),
            version=version or None,
            functional_id=_element(self.group, 1) if self.group else None,
            position=position,
            segments=[segment],
        )
        self.group_transactions += 1

    def se(self, segment: list[str], position: int) -> None:
        current = self.current
        if current is None:
            self.warn(f"segment {position}: SE without ST")
            return
        current.segments.append(segment)
        declared = _element(segment, 1)
        actual = len(current.segments)
        if declared != str(actual) and declared.lstrip("0") != str(actual):
            current.warnings.append(
                f"SE01 segment count {_digits(declared)} does not match the {actual} segments"
            )
        if _element(segment, 2) != current.control_number:
            current.warnings.append("SE02 control number does not match ST02")
        self.transactions.append(current)
        self.current = None

    def ge(self, segment: list[str], position: int) -> None:
        self.close_transaction(position, "GE")
        if self.group is None:
            self.warn(f"segment {position}: GE without GS")
            return
        if _element(segment, 1).lstrip("0") != str(self.group_transactions).lstrip("0"):
            self.warn(f"segment {position}: GE01 does not match the transaction set count")
        if _element(segment, 2).lstrip("0") != _element(self.group, 6).lstrip("0"):
            self.warn(f"segment {position}: GE02 does not match GS06")
        self.group = None

    def iea(self, segment: list[str], position: int, isa: list[str]) -> None:
        self.close_transaction(position, "IEA")
        if self.group is not None:
            self.warn(f"segment {position}: IEA before GE")
            self.group = None
        if _element(segment, 1).lstrip("0") != str(self.groups).lstrip("0"):
            self.warn(f"segment {position}: IEA01 does not match the functional group count")
        if _element(segment, 2) != _element(isa, 13):
            self.warn(f"segment {position}: IEA02 does not match ISA13")
        self.closed = True


    def segment(self, segment: list[str], position: int, isa: list[str]) -> None:
        tag = segment[0].strip()
        if self.closed and not self.trailing_warned:
            self.warn(f"segment {position}: {segment_label(segment)} after IEA")
            self.trailing_warned = True
        if self.current is not None and tag not in _ENVELOPE_TAGS:
            self.current.segments.append(segment)
        elif tag == "GS":
            self.gs(segment, position)
        elif tag == "ST":
            self.st(segment, position)
        elif tag == "SE":
            self.se(segment, position)
        elif tag == "GE":
            self.ge(segment, position)
        elif tag == "IEA":
            self.iea(segment, position, isa)
        elif tag == "TA1":
            self.acknowledgments.append(segment)
        else:
            self.warn(f"segment {position}: {segment_label(segment)} outside a transaction set")


def _digits(value: str) -> str:
    return value if value.isdigit() and len(value) <= 9 else "(not a number)"


def parse_interchange(data: bytes | str) -> Interchange:
    """Tokenize and split into transaction sets; envelope defects become warnings."""
    return interchange_from_tokens(tokenize(data))


def interchange_from_tokens(tokens: Tokens) -> Interchange:
    """``parse_interchange`` for an interchange already tokenized."""
    segments = tokens.segments
    isa = segments[0]
    if len(isa) < 17:
        raise X12ParseError("not an X12 interchange: the ISA segment has too few elements")
    walker = _Walker()
    for warning in tokens.warnings:
        walker.warn(warning)
    # Only envelope segments need the walker's attention: find them in one comprehension,
    # then hand each transaction its content segments as one slice.
    count = len(segments)
    if tokens.clean:  # segment ids need no strip(); segments[0] is the ISA
        marks = [i for i, segment in enumerate(segments) if segment[0] in _ENVELOPE_TAGS]
        del marks[0]
    else:
        marks = [i for i, segment in enumerate(segments)
                 if i and segment[0].strip() in _ENVELOPE_TAGS]
    marks.append(count)
    previous = 1  # the first segment not yet walked
    for index in marks:
        if index > previous:
            current = walker.current
            if current is not None and (not walker.closed or walker.trailing_warned):
                current.segments += segments[previous:index]
            else:
                for position in range(previous + 1, index + 1):
                    walker.segment(segments[position - 1], position, isa)
        if index < count:
            walker.segment(segments[index], index + 1, isa)
        previous = index + 1
    return _finish(walker, tokens)


def simple_interchange(tokens: Tokens) -> Interchange | None:
    """The common case's envelope without a pass over the content, else None.

    The common case: clean tokens without tokenizer warnings, laid out ISA, GS, ST,
    content, SE, GE, IEA. The result equals ``interchange_from_tokens(tokens)`` **provided
    the content (``segments[3:-3]``) holds no envelope segment** (an id in
    ``ENVELOPE_TAGS``), which this function does not check: a caller that walks the content
    anyway checks it there (the 271 reader does, and falls back to
    ``interchange_from_tokens`` when it meets one). The trailer checks are the ``_Walker``
    methods' for this layout, inlined: same warnings, same order (keep them in step).
    """
    segments = tokens.segments
    count = len(segments)
    if (not tokens.clean or tokens.warnings or count < 6 or len(segments[0]) < 17
            or segments[1][0] != "GS" or segments[2][0] != "ST" or segments[-3][0] != "SE"
            or segments[-2][0] != "GE" or segments[-1][0] != "IEA"):
        return None
    # What the _Walker's gs, st, se, ge and iea methods find for this layout, in their order.
    # The tokens are clean, so these elements need no strip(): padded copies, indexed.
    isa = segments[0]
    gs, st, se, ge, iea = (padded(segments[1], 9), padded(segments[2], 4),
                           padded(segments[-3], 3), padded(segments[-2], 3),
                           padded(segments[-1], 3))
    warnings: list[str] = []
    if not gs[8]:
        warnings.append("segment 2: GS has no GS08 version")
    control_number = st[2]
    transaction = TransactionSet(st[1], control_number, st[3] or gs[8] or None, gs[1],
                                 3, segments[2:-2])
    declared, actual = se[1], str(count - 4)
    if declared != actual and declared.lstrip("0") != actual:
        transaction.warnings.append(
            f"SE01 segment count {_digits(declared)} does not match the {actual} segments")
    if se[2] != control_number:
        transaction.warnings.append("SE02 control number does not match ST02")
    if ge[1].lstrip("0") != "1":
        warnings.append(f"segment {count - 1}: GE01 does not match the transaction set count")
    if ge[2].lstrip("0") != gs[6].lstrip("0"):
        warnings.append(f"segment {count - 1}: GE02 does not match GS06")
    if iea[1].lstrip("0") != "1":
        warnings.append(f"segment {count}: IEA01 does not match the functional group count")
    if iea[2] != _element(isa, 13):
        warnings.append(f"segment {count}: IEA02 does not match ISA13")
    return _interchange(tokens, [transaction], [], warnings)


def _finish(walker: _Walker, tokens: Tokens) -> Interchange:
    walker.close_transaction(len(tokens.segments) + 1, "end of data")
    if walker.group is not None:
        walker.warn("functional group has no GE")
    if not walker.closed:
        walker.warn("interchange has no IEA")
    return _interchange(tokens, walker.transactions, walker.acknowledgments, walker.warnings)


def _interchange(
    tokens: Tokens,
    transactions: list[TransactionSet],
    acknowledgments: list[list[str]],
    warnings: list[str],
) -> Interchange:
    """The interchange with its ISA's header fields, whichever pass found its contents."""
    isa = tokens.segments[0]
    return Interchange(
        separators=tokens.separators,
        isa_version=tokens.isa_version,
        control_number=_element(isa, 13),
        sender_qualifier=_element(isa, 5),
        sender_id=_element(isa, 6),
        receiver_qualifier=_element(isa, 7),
        receiver_id=_element(isa, 8),
        usage=_element(isa, 15),
        transactions=transactions,
        acknowledgments=acknowledgments,
        warnings=warnings,
        clean=tokens.clean,
    )


_ENVELOPE_TAGS = frozenset({"GS", "ST", "SE", "GE", "IEA", "ISA", "TA1"})
ENVELOPE_TAGS = _ENVELOPE_TAGS  # the segment ids the envelope walker handles

"""Render segments into an interchange: the ISA/GS/ST envelope, counts and separators.

One place owns the fixed-width ISA, control-number formats and the SE count so the 270
encoder, the 271 builder and the acknowledgment builders cannot disagree about them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from verifier.x12.charset import X12InputError, refuse_control_characters
from verifier.x12.charset import clean_identifier as _clean_identifier
from verifier.x12.tokenizer import Separators

Segment = list[str]
_ALLOW_LISTED = set(" '-.,")  # punctuation that names may contain: never a separator
CONTROL_MAX = 999_999_999


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends to whom, the control numbers and separators of one interchange."""

    sender_id: str
    receiver_id: str
    interchange_control_number: int
    group_control_number: int
    transaction_control_number: int
    created_at: dt.datetime
    usage_indicator: str = "T"  # P production, T test: production must be asked for
    element_separator: str = "*"
    repetition_separator: str = "^"
    component_separator: str = ":"
    segment_terminator: str = "~"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    trace_originator: str | None = None  # TRN03; default "9" + sender id (10 chars max)

    @property
    def separators(self) -> Separators:
        return Separators(
            element=self.element_separator,
            component=self.component_separator,
            repetition=self.repetition_separator,
            segment=self.segment_terminator,
        )

    @property
    def originator(self) -> str:
        return self.trace_originator or ("9" + self.sender_id)[:10]


@dataclass(frozen=True, slots=True)
class CheckedEnvelope:
    """An Envelope whose ids and numbers were checked, ready to render."""

    envelope: Envelope
    sender_id: str
    receiver_id: str
    originator: str
    forbidden: str  # every separator character, for free-text checks


def clean_identifier(value: str, field: str) -> str:
    refuse_control_characters(value, field)
    return _clean_identifier(value, field)


def check_envelope(envelope: Envelope) -> CheckedEnvelope:
    """Refuse envelope values that cannot be sent, naming the field."""
    separators = (
        ("envelope.element_separator", envelope.element_separator),
        ("envelope.repetition_separator", envelope.repetition_separator),
        ("envelope.component_separator", envelope.component_separator),
        ("envelope.segment_terminator", envelope.segment_terminator),
    )
    for name, char in separators:
        if name == "envelope.segment_terminator" and char in ("\n", "\r"):
            continue  # line-per-segment interchanges are common and read back fine
        if len(char) != 1 or char.isalnum() or char in _ALLOW_LISTED or not char.isprintable():
            raise X12InputError(name, "must be one printable punctuation character")
    if len({char for _, char in separators}) != len(separators):
        raise X12InputError("envelope.element_separator", "separators must all differ")
    if envelope.usage_indicator not in ("P", "T"):
        raise X12InputError("envelope.usage_indicator", "must be P or T")
    for name, number in (
        ("envelope.interchange_control_number", envelope.interchange_control_number),
        ("envelope.group_control_number", envelope.group_control_number),
        ("envelope.transaction_control_number", envelope.transaction_control_number),
    ):
        if not 1 <= number <= CONTROL_MAX:
            raise X12InputError(name, f"must be between 1 and {CONTROL_MAX}")
    for name, qualifier in (
        ("envelope.sender_qualifier", envelope.sender_qualifier),
        ("envelope.receiver_qualifier", envelope.receiver_qualifier),
    ):
        if len(qualifier) != 2 or not qualifier.isalnum():
            raise X12InputError(name, "must be 2 letters or digits")
    sender = clean_identifier(envelope.sender_id, "envelope.sender_id")
    receiver = clean_identifier(envelope.receiver_id, "envelope.receiver_id")
    for name, value in (("envelope.sender_id", sender), ("envelope.receiver_id", receiver)):
        if len(value) > 15:
            raise X12InputError(name, "must be at most 15 characters")
    originator = clean_identifier(envelope.originator, "envelope.trace_originator")
    if len(originator) > 10:
        raise X12InputError("envelope.trace_originator", "must be at most 10 characters")
    forbidden = "".join(char for _, char in separators)
    return CheckedEnvelope(envelope, sender, receiver, originator, forbidden)


def render(
    checked: CheckedEnvelope,
    *,
    functional_id: str,
    version: str,
    set_id: str,
    body: Sequence[Segment],
) -> str:
    """ISA GS ST <body> SE GE IEA, with the SE count and matching control numbers."""
    env = checked.envelope
    control = f"{env.transaction_control_number:04d}"
    transaction: list[Segment] = [[ "ST", set_id, control, version], *body]
    transaction.append(["SE", str(len(transaction) + 1), control])
    return _interchange(checked, [
        ["GS", functional_id, checked.sender_id, checked.receiver_id,
         env.created_at.strftime("%Y%m%d"), env.created_at.strftime("%H%M"),
         str(env.group_control_number), "X", version],
        *transaction,
        ["GE", "1", str(env.group_control_number)],
    ], groups=1)


def render_without_group(checked: CheckedEnvelope, segments: Sequence[Segment]) -> str:
    """ISA <segments> IEA*0: an interchange-level answer such as a TA1."""
    return _interchange(checked, segments, groups=0)


def _interchange(checked: CheckedEnvelope, segments: Sequence[Segment], groups: int) -> str:
    env = checked.envelope
    control = f"{env.interchange_control_number:09d}"
    element, terminator = env.element_separator, env.segment_terminator
    isa = element.join([
        "ISA", "00", " " * 10, "00", " " * 10,
        env.sender_qualifier, f"{checked.sender_id:<15}",
        env.receiver_qualifier, f"{checked.receiver_id:<15}",
        env.created_at.strftime("%y%m%d"), env.created_at.strftime("%H%M"),
        env.repetition_separator, "00501", control, "0", env.usage_indicator,
        env.component_separator,
    ])
    lines = [isa]
    lines.extend(element.join(_trim(segment)) for segment in segments)
    lines.append(element.join(["IEA", str(groups), control]))
    return terminator.join(lines) + terminator


def _trim(segment: Segment) -> Segment:
    """Trailing empty elements are dropped, as X12 requires."""
    end = len(segment)
    while end > 1 and not segment[end - 1]:
        end -= 1
    return segment[:end]

"""Explain a payload that is not a 271: a 999 or TA1 rejection, an acceptance, or another set.

CORE real-time rules let a payer answer a 270 with a 999 (or, before CORE, a TA1) instead of
a 271, so "not a 271" must say which of these it was. A rejection raises ``X12Rejected``
with its codes; the codes are X12 code values only (IK404 copies of bad data, which may be
PHI, are never read).

999 codes are prefixed with the segment that carried them (``IK5:5``, ``AK9:2``, ``IK3:8``,
``IK4:7``) because a 999 mixes four code lists; TA1 codes are the TA105 note code (``006``).
"""

from __future__ import annotations

from verifier.x12 import codes
from verifier.x12.envelope import Interchange, TransactionSet, segment_label
from verifier.x12.errors import X12ParseError, X12Rejected


def _s(segment: list[str], index: int) -> str:
    return segment[index].strip() if index < len(segment) else ""


def _code(value: str) -> str:
    """A code value fit for a message (short, alphanumeric), else a placeholder."""
    return value if value.isalnum() and len(value) <= 4 else "?"


def not_an_eligibility_response(
    interchange: Interchange, *, empty_271: bool = False
) -> X12ParseError:
    """The error to raise for an interchange that holds no readable 271."""
    if empty_271:
        return X12ParseError("the 271 transaction set has no HL loops to read")
    for transaction in interchange.transactions:
        if transaction.set_id == "999":
            return read_999(transaction)
    if interchange.acknowledgments and not interchange.transactions:
        return read_ta1(interchange.acknowledgments[0])
    if interchange.transactions:
        set_id = _code(interchange.transactions[0].set_id)
        return X12ParseError(
            f"transaction set {set_id} is not an eligibility response (271)"
        )
    return X12ParseError("the interchange holds no transaction set")


def read_ta1(segment: list[str]) -> X12ParseError:
    """A TA1: ``X12Rejected`` when TA104 is R, a plain parse error otherwise."""
    ack, note = _s(segment, 4), _code(_s(segment, 5))
    note_text = codes.TA1_NOTES.get(note, "unrecognized note code")
    if ack == "R":
        return X12Rejected("TA1", [note], f"interchange rejected: {note} {note_text}")
    status = codes.TA1_ACKNOWLEDGMENTS.get(ack, "unrecognized acknowledgment code")
    return X12ParseError(f"the payload is a TA1 interchange acknowledgment ({status}), not a 271")


def read_999(transaction: TransactionSet) -> X12ParseError:
    """A 999: ``X12Rejected`` when a set or the group was rejected, else a parse error."""
    found: list[str] = []
    parts: list[str] = []
    rejected = False
    for segment in transaction.segments:
        tag = segment[0].strip()
        if tag == "IK5" or tag == "AK9":
            ack = _s(segment, 1)
            table = codes.TRANSACTION_SET_ERRORS if tag == "IK5" else codes.FUNCTIONAL_GROUP_ERRORS
            first = 2 if tag == "IK5" else 5
            if ack in codes.ACK_REJECTED:
                rejected = True
            scope = "transaction set" if tag == "IK5" else "functional group"
            parts.append(f"{scope} {codes.ACK_CODES.get(ack, 'unrecognized status').lower()}")
            for value in (_code(_s(segment, i)) for i in range(first, first + 5)):
                if value != "?":
                    found.append(f"{tag}:{value}")
                    parts.append(f"{value} {table.get(value, 'unrecognized code')}")
        elif tag == "IK3":
            value = _code(_s(segment, 4))
            label = segment_label([_s(segment, 1)])
            found.append(f"IK3:{value}")
            parts.append(
                f"{label} segment at position {_code(_s(segment, 2))}: "
                f"{value} {codes.SEGMENT_ERRORS.get(value, 'unrecognized code')}"
            )
        elif tag == "IK4":
            value = _code(_s(segment, 3))
            found.append(f"IK4:{value}")
            parts.append(
                f"element {_code(_s(segment, 1).split(':')[0]) if segment else '?'}: "
                f"{value} {codes.ELEMENT_ERRORS.get(value, 'unrecognized code')}"
            )
    description = "; ".join(parts) or "no acknowledgment detail"
    if rejected:
        return X12Rejected("999", found, description)
    return X12ParseError(
        f"the payload is a 999 acknowledgment that does not reject the 270 ({description}), "
        "not a 271"
    )

"""Split an X12 interchange into segments, with separators read from its ISA.

Why separators are never constants: the public corpus alone uses ``*:^~``, ``|^}~``,
``*|U~`` and a CR terminator. The element separator is the byte after ``ISA``; in a
fixed-width ISA, ISA11 (index 82) is the 5010 repetition separator, ISA16 (index 104) the
component separator and the next byte (105) the segment terminator. Documentation pages
often collapse the ISA padding, so when the fixed positions do not hold we split the ISA on
its element separator instead.

Tolerated, because real payers and published samples do it: a UTF-8 BOM, CR/LF and
indentation between segments, trailing spaces (the TMHP sample pads before its CR
terminator), trailing empty elements, and a segment whose terminator is missing but which
ends at a line break (split there, with a warning).

4010 (004010X092A1) decision: **read it best-effort**. Half the public 271 corpus is 4010
and its EB/AAA/HL structure is close enough to 5010 for our questions. The one separator
difference matters: in 4010 ISA11 is the Interchange Control Standards Identifier (``U``),
not a repetition separator, so a 4010 interchange has none and EB03 is read as one code.
Readers add a warning naming the version so staff know the answer came from 4010.

Linear time: one ``str.split`` on the terminator and one per segment on the element
separator; no per-character Python loops and no backtracking regexes.

``Tokens.clean`` says that no element of any segment after the ISA starts or ends with
whitespace, so ``element.strip()`` would return every element unchanged. It costs a few
substring searches over the text and lets readers skip one ``strip()`` per element (the
271 reader's largest single cost on a realistic answer); when it is False a reader strips
as before. It is decided conservatively: any whitespace other than a space, CR or LF,
anywhere, makes the interchange not clean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import itemgetter

from verifier.x12.errors import X12ParseError

ISA_LENGTH = 106  # "ISA" + 16 fixed-width elements + 16 separators + terminator
_ISA_SEPARATOR_POSITIONS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_isa_separators = itemgetter(*_ISA_SEPARATOR_POSITIONS)
_REPETITION_INDEX = 82
_COMPONENT_INDEX = 104
_TERMINATOR_INDEX = 105
_COLLAPSED_ISA_WINDOW = 512  # a collapsed ISA is shorter than a fixed one; bound the search
_WHITESPACE = " \t\r\n\f\v"
_LINE_BREAKS = "\r\n"
_BOM = "\ufeff"
# What str.strip() removes besides " ", CR and LF: ASCII controls, and outside ASCII the
# characters for which str.isspace() is true (tests/unit/x12/test_tokenizer.py checks both).
_OTHER_ASCII_WHITESPACE = "\t\x0b\x0c\x1c\x1d\x1e\x1f"
_UNICODE_WHITESPACE = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True, slots=True)
class Separators:
    """The four delimiters of one interchange. ``repetition`` is None before 5010."""

    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"
    segment: str = "~"


@dataclass(frozen=True, slots=True)
class Tokens:
    """An interchange split into segments (each a list of raw element strings)."""

    separators: Separators
    segments: list[list[str]]
    warnings: list[str]
    isa_version: str  # ISA12: "00501", "00401" ...
    clean: bool = False  # no element after the ISA starts or ends with whitespace


_UTF16_MARKS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_UTF16_ISA = ((b"\x00I\x00S\x00A", "utf-16-be"), (b"I\x00S\x00A\x00", "utf-16-le"))


def utf16_encoding(data: bytes | str) -> str | None:
    """The UTF-16 byte order of ``data`` when it is UTF-16 (a BOM, or an ISA with NULs)."""
    if isinstance(data, str):
        return None
    for mark, name in _UTF16_MARKS:
        if data.startswith(mark):
            return name
    for mark, name in _UTF16_ISA:
        if data.startswith(mark):
            return name
    return None


def decode(data: bytes | str) -> str:
    """Text from bytes: UTF-16 when it says so, UTF-8 when it is, Latin-1 otherwise.

    Windows tools save "Unicode" text as UTF-16; read byte-for-byte as UTF-8 or Latin-1
    it has a NUL between every letter and no ISA is found. A UTF-16 file that does not
    decode is refused with a message naming the encoding.
    """
    if isinstance(data, str):
        return data
    encoding = utf16_encoding(data)
    if encoding is not None:
        try:
            return data.decode(encoding).lstrip(_BOM)
        except UnicodeDecodeError:
            raise X12ParseError(
                f"not a readable X12 interchange: the file looks like {encoding.upper()} "
                "text but does not decode; save it as UTF-8 or ASCII"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _is_delimiter(char: str) -> bool:
    return len(char) == 1 and not char.isalnum() and char not in " \t"


def _fixed_width(text: str) -> bool:
    if len(text) < ISA_LENGTH:
        return False
    return _isa_separators(text) == (text[3],) * len(_ISA_SEPARATOR_POSITIONS)


def find_separators(text: str) -> tuple[Separators, list[str], int]:
    """Separators, the ISA's elements and the index where the ISA's terminator sits."""
    if not text.startswith("ISA") or len(text) < 4:
        raise X12ParseError("not an X12 interchange: it does not start with an ISA segment")
    element = text[3]
    if not _is_delimiter(element):
        raise X12ParseError("not an X12 interchange: invalid element separator after ISA")
    if _fixed_width(text):
        isa = text[:_TERMINATOR_INDEX].split(element)
        component = text[_COMPONENT_INDEX]
        terminator = text[_TERMINATOR_INDEX]
        end = _TERMINATOR_INDEX
    else:
        parts = text[:_COLLAPSED_ISA_WINDOW].split(element, 16)
        if len(parts) < 17 or len(parts[16]) < 2:
            raise X12ParseError("not an X12 interchange: the ISA segment is incomplete")
        component, terminator = parts[16][0], parts[16][1]
        isa = [*parts[:16], component]
        end = len(element.join(parts[:16])) + 2
    repetition_char = isa[11] if len(isa) > 11 else ""
    version = isa[12].strip() if len(isa) > 12 else ""
    repetition: str | None = None
    if version >= "00501" and _is_delimiter(repetition_char):
        repetition = repetition_char
    key = (element, component, repetition, terminator)
    separators = _KNOWN_SEPARATORS.get(key)
    if separators is None:
        separators = Separators(element, component, repetition, terminator)
        _check_distinct(separators)
        if len(_KNOWN_SEPARATORS) >= 64:
            _KNOWN_SEPARATORS.clear()
        _KNOWN_SEPARATORS[key] = separators
    return separators, isa, end


# Checked separator sets, by their four characters: a sender uses the same ones every time.
_KNOWN_SEPARATORS: dict[tuple[str, str, str | None, str], Separators] = {}


def _check_distinct(separators: Separators) -> None:
    # ISA11 equal to ISA16 is common in the wild and readable: each element is either
    # repeated (EB03) or a composite (EB13), never both, so readers resolve the character
    # per element. ``tokenize`` warns about it.
    chars = [separators.element, separators.component, separators.segment]
    if separators.repetition is not None and separators.repetition != separators.component:
        chars.append(separators.repetition)
    if len(set(chars)) != len(chars):
        raise X12ParseError("not a usable X12 interchange: the ISA separators are not distinct")
    if not _is_delimiter(separators.component) or not (
        _is_delimiter(separators.segment) or separators.segment in _LINE_BREAKS
    ):
        raise X12ParseError("not a usable X12 interchange: invalid ISA16 or segment terminator")


def _has_line_break(text: str) -> bool:
    return "\n" in text or "\r" in text


def _split_at_line_breaks(
    pieces: list[str], element: str, segments: list[list[str]], warnings: list[str]
) -> None:
    """The slow path, only when a segment holds a line break: a terminator went missing."""
    for index, piece in enumerate(pieces):
        if not piece:
            continue
        if not _has_line_break(piece):
            segments.append(piece.split(element))
            continue
        lines = [line.strip(_WHITESPACE) for line in piece.splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 1:
            warnings.append(
                f"segment {index + 2}: missing segment terminator; split at a line break"
            )
        segments.extend(line.split(element) for line in lines)


def elements_clean(body: str, element: str) -> bool:
    """True when no element of ``body``'s segments can start or end with whitespace.

    The tokenizer strips each segment (and each line, on the missing-terminator path) of
    spaces, tabs, CR, LF, FF and VT, so an element's edges are segment edges, already clean,
    or element separators. It suffices that no space, CR or LF touches an element
    separator and that no other whitespace character occurs at all.
    """
    if element.isspace():
        return False
    exotic = _OTHER_ASCII_WHITESPACE if body.isascii() else (
        _OTHER_ASCII_WHITESPACE + _UNICODE_WHITESPACE)
    for char in exotic:
        if char in body:
            return False
    if " " in body:  # names and messages hold spaces: look for one touching a separator
        space_before, space_after = _space_touching(element)
        if space_before(body) or space_after(body):
            return False
    for char in "\r\n":  # rare in a body read here; ``in`` is enough
        if char in body and (char + element in body or element + char in body):
            return False
    return True


@lru_cache(maxsize=64)
def _space_touching(element: str) -> tuple[Callable[[str], object], Callable[[str], object]]:
    """Searches for a space before and after ``element``.

    A literal compiled pattern finds a two-character string about twice as fast as
    ``in`` when its second character is frequent, and an element separator is the most
    frequent character of a 271 (``in`` was a fifth of ``tokenize``'s time).
    """
    return (re.compile(re.escape(" " + element)).search,
            re.compile(re.escape(element + " ")).search)


SHARED_SEPARATOR_WARNING = (
    "ISA11 repetition separator equals the ISA16 component separator; read as a "
    "repetition in repeating elements (EB03) and as components in composites (EB13)"
)


def interchange_texts(data: bytes | str) -> tuple[list[str], list[str]]:
    """Each interchange of a file as its own text, and file-level warnings.

    A file may hold several ISA..IEA interchanges (a clearinghouse batching answers, or
    two answers concatenated), each with its own separators: the next one starts at the
    first ``ISA`` after an IEA segment. Anything else after the IEA stays with the last
    interchange, so the envelope walker warns about it as before.
    """
    warnings: list[str] = []
    encoding = utf16_encoding(data)
    if encoding is not None:
        warnings.append(f"the file is {encoding.upper()} text; read after decoding it")
    text = decode(data).lstrip(_BOM + _WHITESPACE)
    texts: list[str] = []
    while True:
        separators, _, end = find_separators(text)
        found = _iea_end(text, end, separators)
        if found < 0:
            break
        rest = text[found + 1 :].lstrip(_BOM + _WHITESPACE)
        if not rest.startswith("ISA"):
            break
        texts.append(text[: found + 1])
        text = rest
    texts.append(text)
    return texts, warnings


def _iea_end(text: str, start: int, separators: Separators) -> int:
    """The index of the terminator that ends the IEA segment after ``start``, or -1."""
    terminator, element = separators.segment, separators.element
    index = text.find(f"IEA{element}", start)
    while index >= 0:
        before = index - 1
        while before > start and text[before] in _WHITESPACE and text[before] != terminator:
            before -= 1
        if text[before] == terminator:
            return text.find(terminator, index)
        index = text.find(f"IEA{element}", index + 1)
    return -1


def tokenize(data: bytes | str) -> Tokens:
    """Segments of an interchange; tolerated defects become warnings, never values."""
    text = decode(data).lstrip(_BOM + _WHITESPACE)
    separators, isa, end = find_separators(text)
    element = separators.element
    warnings: list[str] = []
    if separators.repetition is not None and separators.repetition == separators.component:
        warnings.append(SHARED_SEPARATOR_WARNING)
    body = text[end + 1 :]
    segments: list[list[str]] = [isa]
    if separators.segment in _LINE_BREAKS or not _has_line_break(body):
        # No segment can hide a line break: split, strip and split again in one pass.
        clean = elements_clean(body, element)
        # map/filter keep the per-segment loop in C (no bytecode per segment); the same as
        # [piece.split(element) for chunk in chunks if (piece := chunk.strip(...))].
        if clean:  # only " ", CR and LF occur, so strip() strips exactly _WHITESPACE (faster)
            stripped = map(str.strip, body.split(separators.segment))
        else:
            stripped = map(str.strip, body.split(separators.segment), repeat(_WHITESPACE))
        segments += map(str.split, filter(None, stripped), repeat(element))
        return Tokens(separators, segments, warnings, isa[12].strip() if len(isa) > 12 else "",
                      clean)
    pieces = [chunk.strip(_WHITESPACE) for chunk in body.split(separators.segment)]
    if _has_line_break("\x00".join(pieces)):
        _split_at_line_breaks(pieces, element, segments, warnings)
    else:
        segments += [piece.split(element) for piece in pieces if piece]
    return Tokens(separators, segments, warnings, isa[12].strip() if len(isa) > 12 else "",
                  elements_clean(body, element))

"""What text may travel inside a 270, shared by the intake schema and the 270 encoder.

5010 has no escape character, so a separator inside data breaks the interchange. NFKC
first (full-width ＊～：＾ become the real separators), upper-case, then check against an
allow-list; anything else is refused with the field's name, never silently stripped.

Names are written as people write them (José Peña, Łukasz, O’Brien, Straße) and sent in
the X12 basic character set. The rule (``transliterate``): NFKC, then AnyAscii's
transliteration (ISC licence, kept up to date with Unicode; it folds accents, ß→SS,
Ø→O, Ł→L, Æ→AE, curly apostrophes, and romanizes Greek and Cyrillic), then upper case.
Chosen over stdlib NFKD-and-strip-marks, which leaves ß, Ø, Ł, Æ and every non-Latin
letter untransliterated, and over Unidecode, whose GPL would bind the project.
Refused, naming the field: control characters; Han, Hangul and kana (their Latin
spelling is a reading, not a transliteration: the card's Latin spelling is asked for);
and anything whose transliteration is not a letter or the punctuation names use
(digits, symbols, emoji). Member ids and other identifiers are never transliterated.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii


class X12InputError(ValueError):
    """Data that cannot be sent in a 270. Carries the field name, never the value (PHI)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# Basic X12 character set letters/digits/space plus the punctuation names and ids need.
# None of * ~ : ^ | > } and no control characters: they are separators in real interchanges.
_NAME = re.compile(r"[A-Z][A-Z '\-.,]*")
_IDENTIFIER = re.compile(r"[A-Z0-9][A-Z0-9\-]*")

NAME_MAX = 60
IDENTIFIER_MAX = 80


_SPACES = re.compile(" +")


def normalize(value: str) -> str:
    """NFKC, upper-case, runs of spaces folded to one, spaces at the ends trimmed.

    Only the space character is trimmed or folded: a tab, CR or LF is a control
    character and is refused by the checks, never silently dropped.
    """
    text = unicodedata.normalize("NFKC", value).upper()
    return _SPACES.sub(" ", text).strip(" ")


# Scripts whose Latin spelling is a reading the card decides, not a transliteration.
_READINGS = ("CJK ", "HANGUL ", "HIRAGANA ", "KATAKANA ")
NAME_CHARACTERS = (
    "letters, spaces, hyphens, apostrophes, periods and commas, starting with a letter"
)
LATIN_SPELLING = "must be written in Latin letters, as on the insurance card"


def transliterate(value: str, field: str) -> str:
    """A name in the X12 basic character set: José Peña → JOSE PENA (see the module doc)."""
    refuse_control_characters(value, field)
    text = unicodedata.normalize("NFKC", value)
    if any(unicodedata.name(ch, "").startswith(_READINGS) for ch in text):
        raise X12InputError(field, LATIN_SPELLING)
    return normalize(anyascii(text))


def _check(
    value: str,
    field: str,
    pattern: re.Pattern[str],
    what: str,
    limit: int,
    *,
    names: bool = False,
) -> str:
    refuse_control_characters(value, field)
    text = transliterate(value, field) if names else normalize(value)
    if not text:
        raise X12InputError(field, "must not be empty")
    if len(text) > limit:
        raise X12InputError(field, f"must be at most {limit} characters")
    refuse_control_characters(text, field)
    if not pattern.fullmatch(text):
        raise X12InputError(field, f"may contain only {what}")
    return text


def clean_name(value: str, field: str) -> str:
    """A person's or organization's name as it may be sent to a payer."""
    return _check(value, field, _NAME, NAME_CHARACTERS, NAME_MAX, names=True)


def clean_identifier(value: str, field: str) -> str:
    """A member id, group number or payer id: letters, digits and hyphens."""
    return _check(value, field, _IDENTIFIER, "letters, digits and hyphens", IDENTIFIER_MAX)


TEXT_MAX = 264  # MSG01, the longest free-text element a 271 carries


def clean_text(value: str, field: str, forbidden: str, limit: int = TEXT_MAX) -> str:
    """Free text for a 271 we build (plan names, MSG lines): printable ASCII, no separators.

    Payer-authored text keeps its case and punctuation, but a separator or a control
    character in it would still break the interchange, so it is refused by field name.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise X12InputError(field, "must not be empty")
    if len(text) > limit:
        raise X12InputError(field, f"must be at most {limit} characters")
    if any(not (" " <= ch <= "~") for ch in text):
        raise X12InputError(field, "may contain only printable ASCII characters")
    if any(ch in forbidden for ch in text):
        raise X12InputError(field, "must not contain an X12 separator")
    return text


def refuse_control_characters(value: str, field: str) -> None:
    """Refuse control characters (and format characters such as zero-width spaces) anywhere."""
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise X12InputError(field, "must not contain control characters")

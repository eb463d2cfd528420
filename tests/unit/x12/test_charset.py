"""Names as people write them, sent in the X12 basic character set."""

from __future__ import annotations

import pytest

from verifier.x12.charset import X12InputError, clean_identifier, clean_name


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("José Peña", "JOSE PENA"),
        ("Müller-Lüdenscheidt", "MULLER-LUDENSCHEIDT"),
        ("Straße", "STRASSE"),
        ("Łukasz Øyvind", "LUKASZ OYVIND"),
        ("O’Brien", "O'BRIEN"),
        ("Nguyễn Thị", "NGUYEN THI"),
        ("Иван", "IVAN"),
        ("ＪＯＳＥ", "JOSE"),
    ],
)
def test_names_are_transliterated_to_the_x12_basic_character_set(typed: str, sent: str) -> None:
    assert clean_name(typed, "member.last_name") == sent


@pytest.mark.parametrize("typed", ["山田", "김민준", "やまだ"])
def test_names_whose_latin_spelling_is_a_reading_are_refused(typed: str) -> None:
    with pytest.raises(X12InputError) as raised:
        clean_name(typed, "member.last_name")
    assert raised.value.field == "member.last_name"
    assert "Latin letters" in raised.value.message


@pytest.mark.parametrize("typed", ["Ana😀", "J0hn", "Ana*Maria", "Ana＊Maria", "Ana:"])
def test_what_does_not_transliterate_to_letters_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(X12InputError) as raised:
        clean_name(typed, "member.first_name")
    assert raised.value.field == "member.first_name"
    assert raised.value.message.startswith("may contain only letters")


def test_identifiers_are_never_transliterated() -> None:
    with pytest.raises(X12InputError):
        clean_identifier("ÅBC123", "member.member_id")

"""The consent names every recipient (§2.31(a)(4)(i)): the payer, and the clearinghouse a
270 to it passes through, Stedi and Optum included, not only the generic adapter's."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from verifier.coverage.facility import FacilityProfile, load_facility
from verifier.domain import LevelOfCare
from verifier.part2.consent import (
    UNNAMED_CLEARINGHOUSE,
    UnnamedRecipient,
    clearinghouse_of,
    clearinghouses_in,
    lines,
    recipients,
    unnamed_clearinghouse_payers,
)
from verifier.payers.directory import PayerEntry

TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def facility() -> FacilityProfile:
    return load_facility(ROOT / "config" / "facility.toml")


def payer(adapter: str, name: str = "Keystone Mutual") -> PayerEntry:
    return PayerEntry(id=f"P-{adapter}", name=name, adapter=adapter)


def to_whom(words: list[tuple[str, str, str]]) -> str:
    return next(text for key, _, text in words if key == "recipients")


def test_a_payer_reached_through_stedi_names_stedi(facility: FacilityProfile) -> None:
    entry = payer("stedi")
    through = clearinghouse_of(facility, entry)
    assert through == "Stedi, Inc."
    assert recipients(facility, entry)[-1] == "Stedi, Inc."
    words = lines(facility, LevelOfCare.IOP, "en", today=TODAY, payer=entry.name,
                  clearinghouses=[through])
    assert to_whom(words).endswith(
        "; and Stedi, Inc., the clearinghouse that carries our inquiries to them."
    )


def test_a_payer_sent_direct_names_no_clearinghouse(facility: FacilityProfile) -> None:
    entry = payer("x12_http")
    assert clearinghouse_of(facility, entry) is None
    assert recipients(facility, entry) == [
        "Keystone Mutual",
        "behavioral health administrator named by the plan",
    ]
    words = lines(facility, LevelOfCare.IOP, "en", today=TODAY, payer=entry.name,
                  clearinghouses=[])
    assert "clearinghouse" not in to_whom(words)


def test_before_a_payer_is_chosen_the_form_names_every_clearinghouse_in_use(
    facility: FacilityProfile,
) -> None:
    entries = [payer("stedi", "A"), payer("sandbox", "B"), payer("optum", "C"), payer("stedi")]
    through = clearinghouses_in(facility, entries)
    assert through == ["Stedi, Inc.", "Optum"]
    english = to_whom(lines(facility, LevelOfCare.IOP, "en", today=TODAY, clearinghouses=through))
    spanish = to_whom(lines(facility, LevelOfCare.IOP, "es", today=TODAY, clearinghouses=through))
    assert "; and Stedi, Inc. and Optum, the clearinghouses that carry our inquiries" in english
    assert "; y Stedi, Inc. y Optum, las cámaras de compensación que les llevan" in spanish


def test_the_generic_clearinghouse_is_the_one_the_facility_names(
    facility: FacilityProfile,
) -> None:
    named = dataclasses.replace(facility, part2_clearinghouse="Availity, LLC")
    assert clearinghouse_of(named, payer("clearinghouse")) == "Availity, LLC"
    # Unnamed in config/facility.toml: said as such (docs: name it before going live).
    assert clearinghouse_of(facility, payer("clearinghouse")) == UNNAMED_CLEARINGHOUSE


def test_a_generic_clearinghouse_nobody_named_is_listed_for_part2_programs(
    facility: FacilityProfile,
) -> None:
    entries = [payer("clearinghouse"), payer("stedi"), payer("x12_http")]
    assert unnamed_clearinghouse_payers(facility, entries) == ["P-clearinghouse"]
    named = dataclasses.replace(facility, part2_clearinghouse="Availity, LLC")
    assert unnamed_clearinghouse_payers(named, entries) == []


def test_without_part2_programs_nothing_needs_naming(facility: FacilityProfile) -> None:
    programs = tuple(
        (level, dataclasses.replace(program, part2=())) for level, program in facility.programs
    )
    no_part2 = dataclasses.replace(facility, programs=programs)
    assert unnamed_clearinghouse_payers(no_part2, [payer("clearinghouse")]) == []


def test_the_service_refuses_to_start_when_a_part2_consent_could_not_name_a_recipient(
    settings: Any, tmp_path: Path
) -> None:
    from verifier import create_app

    payers = tmp_path / "payers.toml"
    payers.write_text(
        '[payers.KEYSTONE]\nname = "Keystone Mutual"\nadapter = "clearinghouse"\n'
        'endpoint = "https://clearinghouse.invalid/eligibility"\n'
    )
    with pytest.raises(UnnamedRecipient) as refused:
        create_app(dataclasses.replace(settings, payers_file=payers))
    said = str(refused.value)
    assert "KEYSTONE" in said and "[part2] clearinghouse" in said and "§2.31(a)(4)" in said
    facility_file = tmp_path / "facility.toml"
    facility_file.write_text(
        (ROOT / "config" / "facility.toml").read_text().replace(
            '# clearinghouse = "Your clearinghouse, Inc."', 'clearinghouse = "Availity, LLC"'
        )
    )
    app = create_app(
        dataclasses.replace(settings, payers_file=payers, facility_file=facility_file)
    )
    app.extensions["verifier"].db.dispose()

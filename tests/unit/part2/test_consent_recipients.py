"""The consent names every recipient (§2.31(a)(4)(i)): the payer, and the clearinghouse a
270 to it passes through, Stedi and Optum included, not only the generic adapter's."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.conftest import ROOT
from verifier.coverage.facility import FacilityProfile, load_facility
from verifier.domain import LevelOfCare
from verifier.part2.consent import (
    UNNAMED_CLEARINGHOUSE,
    clearinghouse_of,
    clearinghouses_in,
    lines,
    recipients,
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

"""The facility profile and the ladders it can override."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from verifier.coverage.facility import DEFAULT_FACILITY, FacilityProfile, default_profile
from verifier.coverage.ladders import DEFAULT_LADDERS, Ladder, condition_of, default_ladder
from verifier.domain import Condition, LevelOfCare

CONFIG = Path(__file__).resolve().parents[3] / "config" / "facility.toml"


def test_shipped_toml_is_the_default_profile():
    with CONFIG.open("rb") as handle:
        assert FacilityProfile.from_mapping(tomllib.load(handle)) == default_profile()


def test_default_iop_schedule_is_3x4_then_8x2_5_then_1_to_2_for_4_weeks():
    iop = default_profile().program(LevelOfCare.IOP)
    assert (iop.sessions_low, iop.sessions_high) == (36, 40)


def test_every_level_has_a_default_program():
    profile = default_profile()
    for level in LevelOfCare:
        assert profile.program(level).allowed_amount > 0


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d.update(npi="1234567890"), "npi"),
        (lambda d: d["programs"].update(detox={}), "programs.detox"),
        (lambda d: d["programs"]["iop"].update(allowed_amount=250.0),
         "programs.iop.allowed_amount"),
        (lambda d: d["programs"]["iop"]["phases"][1].update(weeks=0),
         "programs.iop.phases[1].weeks"),
        (lambda d: d["programs"]["iop"].update(unit="hour"), "programs.iop.unit"),
        (lambda d: d["programs"]["iop"].update(ladders={"mental_health": {"read": ["30"]}}),
         "programs.iop.ladders.mental_health"),
    ],
)
def test_from_mapping_names_the_bad_key(change, named):
    data = copy.deepcopy(dict(DEFAULT_FACILITY))
    change(data)
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        FacilityProfile.from_mapping(data)


def test_a_program_can_replace_a_ladder():
    data = copy.deepcopy(dict(DEFAULT_FACILITY))
    data["programs"]["iop"]["ladders"] = {
        "mental_health": {"inquiry": ["CH"], "read": ["CH", "MH"], "procedures": ["S9480"]}
    }
    profile = FacilityProfile.from_mapping(data)
    assert profile.ladder(LevelOfCare.IOP, Condition.MENTAL_HEALTH).read == ("CH", "MH")
    assert profile.ladder(LevelOfCare.PHP, Condition.MENTAL_HEALTH) == default_ladder(
        LevelOfCare.PHP, Condition.MENTAL_HEALTH
    )


def test_every_level_and_condition_has_a_ladder_without_30_or_98_as_a_rung():
    for level in LevelOfCare:
        for condition in Condition:
            ladder = DEFAULT_LADDERS[(level, condition)]
            assert "30" not in ladder.read and "98" not in ladder.read


def test_iop_mental_health_reads_a8_before_mh():
    read = default_ladder(LevelOfCare.IOP, Condition.MENTAL_HEALTH).read
    assert read.index("A8") < read.index("MH")


def test_substance_use_ladders_do_not_read_psychiatric_codes():
    for level in LevelOfCare:
        read = default_ladder(level, Condition.SUBSTANCE_USE).read
        assert not {"A4", "A8", "MH", "BB"} & set(read)


def test_30_cannot_be_a_rung():
    with pytest.raises(ValueError, match="plan-wide"):
        Ladder(inquiry=("30",), read=("30",))


@pytest.mark.parametrize(
    ("word", "condition"),
    [
        ("gambling", Condition.MENTAL_HEALTH),
        ("F63.0", Condition.MENTAL_HEALTH),
        ("F33.1", Condition.MENTAL_HEALTH),
        ("F10.20", Condition.SUBSTANCE_USE),
        ("substance_use", Condition.SUBSTANCE_USE),
    ],
)
def test_condition_of_words_and_diagnoses(word, condition):
    assert condition_of(word) is condition


def test_facility_file_is_overridable_by_environment(tmp_path):
    from verifier.coverage.facility import facility_file

    assert facility_file({}) == CONFIG
    assert facility_file({"VERIFIER_FACILITY_FILE": str(tmp_path / "f.toml")}) == (
        tmp_path / "f.toml"
    )


def test_load_facility_names_the_file_and_the_key(tmp_path):
    from verifier.coverage.facility import load_facility

    bad = tmp_path / "facility.toml"
    bad.write_text('name = "X"\nnpi = "1234567893"\nphone = "1"\ncolour = "blue"\n')
    with pytest.raises(ValueError, match=r"facility\.toml: colour: unknown key"):
        load_facility(bad)
    assert load_facility(CONFIG) == default_profile()

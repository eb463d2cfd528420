"""``x12 summarize FILE``: the CoverageSummary JSON of a 271 file for a program."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

x12_cli_module = pytest.importorskip("verifier.cli.x12", reason="the x12 CLI group is not there")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
LFH = FIXTURES / "lfh-subscriber-health-benefit-check.271.x12"


def run(*args: str, env: dict[str, str] | None = None):
    if not LFH.exists():
        pytest.skip(f"{LFH} is not there yet")
    return CliRunner().invoke(x12_cli_module.x12_cli, ["summarize", *args], env=env)


def test_prints_the_summary_json_for_the_program():
    out = run(str(LFH), "--level", "outpatient", "--condition", "mental_health", "--in-network")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert (data["level_of_care"], data["condition"]) == ("outpatient", "mental_health")
    assert data["network"]["status"] == "in_network"
    assert data["benefits"]["in_network"]["copay"] == {"amount": "10.00", "per": "visit"}


def test_network_is_unknown_unless_told():
    data = json.loads(run(str(LFH)).output)
    assert (data["level_of_care"], data["network"]["status"]) == ("iop", "unknown")


def test_out_of_network_flag():
    data = json.loads(run(str(LFH), "--out-of-network").output)
    assert data["network"]["status"] == "out_of_network"


def test_facility_file_from_the_environment(tmp_path):
    bad = tmp_path / "facility.toml"
    bad.write_text("colour = 'blue'\n")
    out = run(str(LFH), env={"VERIFIER_FACILITY_FILE": str(bad)})
    assert out.exit_code != 0
    assert "colour: unknown key" in out.output


def test_a_file_that_is_not_a_271_is_a_clean_error(tmp_path):
    junk = tmp_path / "junk.x12"
    junk.write_text("hello")
    out = run(str(junk))
    assert out.exit_code != 0
    assert "Traceback" not in out.output


def test_a_file_with_two_answers_about_the_member_is_summarized_merged(tmp_path):
    # Issue 14 item 6: the second interchange adds an IOP (A8) copay of $40 in network.
    first = LFH.read_text()
    second = first.replace("000000907", "000000908").replace(
        "EB*L~", "EB*B*IND*A8*HM**27*40*****Y~", 1)
    both = tmp_path / "two.x12"
    both.write_text(first + "\n" + second)
    data = json.loads(run(str(both), "--in-network").output)
    assert data["benefits"]["in_network"]["copay"] == {"amount": "40.00", "per": "visit"}

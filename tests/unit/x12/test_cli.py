"""``x12 parse FILE`` prints the reader's result as JSON, or a clear error with exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from verifier.cli.x12 import x12_cli

from .conftest import FIXTURES


def test_parse_prints_the_result_as_json() -> None:
    result = CliRunner().invoke(
        x12_cli, ["parse", str(FIXTURES / "lfh-subscriber-health-benefit-check.271.x12")]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["payer"]["name"] == "ABC COMPANY"
    copay = body["subscriber"]["benefits"][3]
    assert (copay["info"], copay["amount"], copay["in_plan_network"]) == ("B", "10.00", "Y")
    assert body["subscriber"]["date_of_birth"] == "1963-05-19"


def test_parse_all_prints_a_list() -> None:
    result = CliRunner().invoke(
        x12_cli, ["parse", "--all", str(FIXTURES / "tigershark-271-example.x12")]
    )
    assert result.exit_code == 0
    [answer] = json.loads(result.stdout)
    assert [e["retry_class"] for e in answer["subscriber"]["errors"]] == ["fix_input"] * 4


def test_parse_refuses_a_file_that_is_not_x12(tmp_path: Path) -> None:
    page = tmp_path / "gateway.html"
    page.write_text("<html><body>502 Bad Gateway</body></html>")
    result = CliRunner().invoke(x12_cli, ["parse", str(page)])
    assert result.exit_code == 1
    assert "not an X12 interchange" in result.stderr
    assert result.stdout == ""


def test_parse_refuses_a_270_with_its_set_id() -> None:
    result = CliRunner().invoke(
        x12_cli, ["parse", str(FIXTURES / "lfh-subscriber-health-benefit-check.270.x12")]
    )
    assert result.exit_code == 1
    assert "transaction set 270 is not an eligibility response" in result.stderr

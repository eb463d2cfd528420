"""``x12`` commands: look inside payer files without the app, the database or the queue.

A plain click.Group (not Flask's AppGroup) because these commands need no app context; add
new commands with ``@x12_cli.command(...)`` next to ``parse``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from verifier.x12.errors import X12ParseError
from verifier.x12.jsonify import to_jsonable
from verifier.x12.reader import read_271, read_271_all

x12_cli = click.Group("x12", help="Read X12 eligibility files (270/271, 999, TA1).")


def read_file(path: Path) -> bytes:
    """The file's bytes; click already checked it exists and is readable."""
    return path.read_bytes()


@x12_cli.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--all", "every", is_flag=True,
              help="Print every subscriber/dependent answer as a JSON list.")
def parse_command(file: Path, every: bool) -> None:
    """Print the 271 in FILE as JSON (exit 1 with the reason if it is not one)."""
    data = read_file(file)
    try:
        value = read_271_all(data) if every else read_271(data)
    except X12ParseError as error:
        click.echo(f"error: {file.name}: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(json.dumps(to_jsonable(value), indent=2))


@x12_cli.command("summarize")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--level", type=click.Choice(["outpatient", "iop", "php", "inpatient"]),
              default="iop", show_default=True, help="Level of care.")
@click.option("--condition", type=click.Choice(["mental_health", "substance_use"]),
              default="mental_health", show_default=True,
              help="Condition (gambling disorder is mental_health).")
@click.option("--in-network/--out-of-network", "in_network", default=None,
              help="The facility's contract with the payer; omit when it is not known.")
def summarize_command(file: Path, level: str, condition: str, in_network: bool | None) -> None:
    """Print the CoverageSummary JSON (docs/design.md §6) of the 271 in FILE for a program.

    The facility profile comes from config/facility.toml, or VERIFIER_FACILITY_FILE.
    """
    import os

    from verifier.coverage.facility import facility_file, load_facility
    from verifier.coverage.summary import summarize
    from verifier.domain import Condition, LevelOfCare

    try:
        facility = load_facility(facility_file(os.environ))
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    try:
        result = read_271(read_file(file))
    except X12ParseError as error:
        click.echo(f"error: {file.name}: {error}", err=True)
        raise SystemExit(1) from None
    summary = summarize(
        result,
        level=LevelOfCare(level),
        condition=Condition(condition),
        facility=facility,
        in_network=in_network,
    )
    click.echo(json.dumps(summary.to_dict(), indent=2))

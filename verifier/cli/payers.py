"""``payers import`` (a clearinghouse's payer list) and ``payers ping`` (one test check).

Both work on a ``[connections.NAME]`` of the payers file. ``ping`` sends one inquiry for
the test member the clearinghouse publishes, so an operator sees the credentials and the
endpoint work before a visitor does; it never needs (or prints) anyone's PHI.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import tomllib
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from verifier.domain import EligibilityRequest, Person, Provider
from verifier.payers.base import PayerError
from verifier.payers.connections import Connection
from verifier.payers.directory import DirectoryError, PayerDirectory, PayerEntry
from verifier.payers.payer_list import (
    PayerListError,
    imported_path,
    merge,
    parse,
    read_imported,
    write_imported,
)
from verifier.runtime import runtime_of

# The test members the clearinghouses publish (no real person):
# Stedi, "Eligibility mock requests" (Aetna, subscriber only); Optum, the sandbox request of
# the eligibility API's "Request and Response" page.
TEST_MEMBERS: dict[str, EligibilityRequest] = {
    "stedi": EligibilityRequest(
        payer_id="60054",
        payer_name="Aetna",
        provider=Provider(npi="1999999984", organization_name="Provider Name"),
        subscriber=Person("Jane", "Doe", dt.date(2004, 4, 4), member_id="AETNA12345"),
        service_date=dt.date.today(),
        trace_number="",
    ),
    "optum": EligibilityRequest(
        payer_id="SERVICEID",
        payer_name="Optum sandbox",
        provider=Provider(npi="0123456789", organization_name="provider_name"),
        subscriber=Person("johnOne", "doeOne", dt.date(1880, 1, 2), member_id="0000000000"),
        service_date=dt.date.today(),
        trace_number="",
    ),
}
SERVICE_IDS = {"stedi": "60054", "optum": "serviceId"}


def _connection(directory: PayerDirectory, name: str) -> Connection:
    connection = directory.connections.get(name)
    if connection is None:
        known = ", ".join(sorted(directory.connections)) or "none"
        raise click.UsageError(f"the payers file has no [connections.{name}] (known: {known})")
    return connection


def _hand_kept(payers_file: Path) -> set[str]:
    with payers_file.open("rb") as handle:
        return set((tomllib.load(handle).get("payers") or {}).keys())


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--connection", "name", required=True, help="The [connections.NAME] to route by.")
@with_appcontext
def payers_import(file: Path, name: str) -> None:
    """Read a clearinghouse's payer list (Stedi's JSON or CSV export, or id,name,aliases CSV).

    The payers go to payers.NAME.json beside the payers file; contract fields recorded
    there (in_network ...) are kept, and payers in the payers file itself still win.
    """
    runtime = runtime_of(current_app)
    payers_file = runtime.settings.payers_file
    connection = _connection(runtime.directory, name)
    try:
        listed = parse(file.read_text(encoding="utf-8-sig"), file.name)
        target = imported_path(payers_file.parent, connection)
        previous = read_imported(target)
    except (PayerListError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from None
    if not listed:
        raise click.ClickException(f"{file.name} lists no payers that take eligibility checks")
    tables, added, kept, shadowed = merge(listed, previous, _hand_kept(payers_file))
    backup = target.read_bytes() if target.exists() else None
    write_imported(target, name, file.name, tables)
    try:
        PayerDirectory.load(payers_file)
    except (DirectoryError, PayerListError) as exc:
        if backup is None:
            target.unlink()
        else:
            target.write_bytes(backup)
        raise click.ClickException(f"the imported list does not load: {exc}") from None
    click.echo(f"imported {len(tables)} payers from {file.name} into {target.name}")
    click.echo(
        f"  new: {added}; contract kept: {kept}; also in {payers_file.name} (wins): {shadowed}"
    )
    click.echo("restart the web and worker processes to use the new list")


def _probe_entry(connection: Connection, service_id: str) -> PayerEntry:
    return PayerEntry(
        id="PING",
        name=f"ping {connection.name}",
        adapter=connection.adapter,
        framing=connection.framing,
        endpoint=connection.endpoint,
        credentials=dict(connection.credentials),
        options=dict(connection.options) | {"trading_partner_service_id": service_id, "retries": 0},
        timeout=connection.timeout,
        connection=connection.name,
    )


@click.command("ping")
@click.argument("name")
@with_appcontext
def payers_ping(name: str) -> None:
    """Send one check for the connection's published test member and print the outcome."""
    runtime = runtime_of(current_app)
    connection = _connection(runtime.directory, name)
    template = TEST_MEMBERS.get(connection.kind)
    if template is None:
        raise click.ClickException(
            f"{connection.kind} publishes no test member: run a check from the console instead"
        )
    request = dataclasses.replace(
        template, trace_number=f"PING{secrets.token_hex(8).upper()}", service_date=dt.date.today()
    )
    adapter = runtime.adapters.build(_probe_entry(connection, SERVICE_IDS[connection.kind]))
    click.echo(f"{name}: {connection.kind} at {connection.endpoint}")
    try:
        outcome = adapter.check(request)
    except PayerError as exc:
        click.echo(f"FAILED ({exc.reason}): {exc}")
        codes = getattr(exc, "codes", ())
        if codes:
            click.echo(f"  AAA codes: {', '.join(codes)}")
        raise SystemExit(1) from None
    patient = outcome.result.patient
    benefits = patient.benefits if patient is not None else ()
    status = next((b.info for b in benefits if b.info in ("1", "6")), None)
    words = {"1": "active coverage", "6": "inactive coverage", None: "no coverage status"}
    click.echo(f"OK: the payer answered: {words[status]}, {len(benefits)} benefit lines")

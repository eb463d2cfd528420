"""Operator commands: ``flask --app wsgi db upgrade``, ``db rekey``, ``payers list``, ..."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from verifier.runtime import runtime_of

if TYPE_CHECKING:
    from verifier.store.rekey import ColumnCount

db_cli = AppGroup("db", help="Database schema, and re-sealing stored values after a key rotation.")
payers_cli = AppGroup("payers", help="The payer directory.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from verifier.store.migrate import upgrade

    upgrade(runtime_of(current_app).settings.database_url, revision)
    click.echo(f"database at {revision}")


REKEY_ACTOR = "system:rekey"


@db_cli.command("rekey")
@click.option(
    "--check", is_flag=True, help="Only count; exit 1 while any value is under another key."
)
@click.option(
    "--batch-size",
    default=500,
    show_default=True,
    type=click.IntRange(min=1),
    help="Values re-sealed per transaction.",
)
@click.option(
    "--limit",
    default=None,
    type=click.IntRange(min=1),
    help="Stop after this many values (run again to go on).",
)
def db_rekey(check: bool, batch_size: int, limit: int | None) -> None:
    """Re-seal every stored value under the first key of VERIFIER_DATA_KEY.

    The second step of a key rotation (put the new key first and restart, then this),
    which also re-indexes the verifications for search. Safe to stop and run again. It
    prints counts, key ids and row ids only. Exit 1: a value would not open (--check:
    some value is still under another key, so no old key may be removed yet).
    """
    from verifier import audit
    from verifier.store.rekey import count, rekey

    runtime = runtime_of(current_app)
    keyring = runtime.keyring
    if check:
        raise SystemExit(_echo_counts(count(runtime.db, keyring), keyring.primary))
    click.echo(f"re-sealing under key {keyring.primary!r}, {batch_size} values per transaction")
    outcome = "interrupted"
    try:
        report = rekey(runtime.db, keyring, batch_size=batch_size, limit=limit)
        for column in report.columns:
            click.echo(
                f"{column.column:<32} re-sealed {column.resealed:>8}"
                f"  changed meanwhile {column.changed:>4}  unreadable {len(column.unreadable):>4}"
            )
        for bad in report.unreadable:
            click.echo(f"unreadable: {bad.column} row {bad.row_id}: {bad.reason}", err=True)
        if report.stopped_at_limit:
            click.echo(f"stopped after --limit {limit}: run again to go on")
        remaining = sum(c.outside_primary(keyring.primary) for c in count(runtime.db, keyring))
        click.echo(f"values still under other keys: {remaining}")
        outcome = "ok" if remaining == 0 else "partial"
    finally:
        audit.record(
            runtime.db,
            runtime.audit_keys,
            audit.Entry(
                actor=REKEY_ACTOR,
                action="rekey",
                object_type="data_key",
                object_id=keyring.primary,
                outcome=outcome,
            ),
        )
    if report.unreadable:
        raise SystemExit(1)


def _echo_counts(counts: list[ColumnCount], primary: str) -> int:
    """Print how each column's values are sealed; 1 while any is under another key."""
    remaining = 0
    for column in counts:
        keys = "  ".join(f"{kid} {n}" for kid, n in column.by_key.items())
        click.echo(f"{column.column:<32} {keys}  unknown key {column.other}")
        remaining += column.outside_primary(primary)
    if remaining:
        click.echo(f"{remaining} value(s) not under {primary!r}: keep the other keys for now")
        return 1
    click.echo(f"every value is under {primary!r}: the other keys may be removed")
    return 0


@payers_cli.command("list")
@click.option("--search", "-s", default="", help="Filter by name, alias or id.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def payers_list(search: str, as_json: bool) -> None:
    """Show the payers the directory knows, with adapter and contract status."""
    entries = runtime_of(current_app).directory.search(search)
    if as_json:
        click.echo(json.dumps([e.public() | {"adapter": e.adapter} for e in entries], indent=2))
        return
    for entry in entries:
        network = {True: "in network", False: "out of network", None: "contract unknown"}
        click.echo(
            f"{entry.id:<16} {entry.name:<40} {entry.adapter:<14} {network[entry.in_network]}"
        )


def init_app(app: Flask) -> None:
    from verifier.cli.jobs import jobs_cli
    from verifier.cli.payers import payers_import, payers_ping  # issue 15
    from verifier.cli.staff import audit_cli, users_cli
    from verifier.cli.webhooks import webhooks_cli
    from verifier.cli.x12 import x12_cli

    app.cli.add_command(db_cli)
    payers_cli.add_command(payers_import)
    payers_cli.add_command(payers_ping)
    app.cli.add_command(payers_cli)
    app.cli.add_command(x12_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(webhooks_cli)

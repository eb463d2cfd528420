"""Operator commands: ``flask --app wsgi db upgrade``, ``payers list``, ``x12 ...``."""

from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from verifier.runtime import runtime_of

db_cli = AppGroup("db", help="Database schema.")
payers_cli = AppGroup("payers", help="The payer directory.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from verifier.store.migrate import upgrade

    upgrade(runtime_of(current_app).settings.database_url, revision)
    click.echo(f"database at {revision}")


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
    from verifier.cli.staff import audit_cli, users_cli
    from verifier.cli.x12 import x12_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(payers_cli)
    app.cli.add_command(x12_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)

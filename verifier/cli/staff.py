"""Operator commands for staff access: ``users create|token|disable|revoke``, ``audit verify``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import click
from flask import current_app
from flask.cli import AppGroup

from verifier import audit
from verifier.runtime import runtime_of
from verifier.staff import accounts

users_cli = AppGroup("users", help="Staff accounts.")
audit_cli = AppGroup("audit", help="The audit trail.")


def _audit(action: str, object_id: str) -> None:
    runtime = runtime_of(current_app)
    audit.record(
        runtime.db,
        runtime.audit_keys,
        audit.Entry(actor="cli", action=action, object_type="staff_user", object_id=object_id),
    )


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(accounts.ROLES), default="coordinator")
def users_create(email: str, role: str) -> None:
    """Create a staff user; prints a one-time password and the TOTP secret (shown once)."""
    try:
        account = accounts.create_user(runtime_of(current_app), email, role)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("user_created", str(account.staff.id))
    click.echo(f"user:        {account.staff.email} ({account.staff.role})")
    click.echo(f"password:    {account.password}")
    click.echo(f"totp secret: {account.totp_secret}")
    click.echo(f"totp uri:    {account.totp_uri}")
    click.echo("Give these to the user over a secure channel; they are not stored in clear.")


@users_cli.command("token")
@click.argument("email")
@click.option(
    "--days",
    type=click.IntRange(1, accounts.MAX_TOKEN_DAYS),
    default=accounts.TOKEN_DAYS,
    show_default=True,
    help="How long the token works.",
)
@click.option("--rotate", is_flag=True, help="Also revoke the user's other tokens, at once.")
def users_token(email: str, days: int, rotate: bool) -> None:
    """Print a new personal API token (Authorization: Bearer ...); it expires."""
    try:
        issued = accounts.issue_token(runtime_of(current_app), email, days=days, rotate=rotate)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("token_issued", str(issued.staff.id))
    if rotate:
        _audit("tokens_revoked", str(issued.staff.id))
    click.echo(issued.token)
    click.echo(
        f"expires {issued.expires_at.isoformat(timespec='minutes')}"
        + (f"; revoked {issued.revoked} earlier token(s)" if rotate else ""),
        err=True,
    )


@users_cli.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    try:
        accounts.disable_user(runtime_of(current_app), email)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("user_disabled", accounts.normalize_email(email))
    click.echo(f"disabled {email}")


@users_cli.command("revoke-tokens")
@click.argument("email")
def users_revoke(email: str) -> None:
    """Revoke every API token of a user."""
    try:
        count = accounts.revoke_tokens(runtime_of(current_app), email)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("tokens_revoked", accounts.normalize_email(email))
    click.echo(f"revoked {count} token(s)")


@audit_cli.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.File("r"),
    help="A file from `audit checkpoint`: also fail if rows it saw were removed.",
)
def audit_verify(checkpoint_file: TextIO | None) -> None:
    """Check the HMAC chain; exit 1 naming the first row that was changed or removed."""
    runtime = runtime_of(current_app)
    point = None
    if checkpoint_file is not None:
        try:
            point = audit.read_checkpoint(checkpoint_file.read(), runtime.audit_keys)
        except audit.CheckpointError as exc:
            click.echo(f"checkpoint REFUSED: {exc}")
            raise SystemExit(1) from None
    report = audit.verify(runtime.db, runtime.audit_keys)
    if report.broken_at is not None:
        click.echo(
            f"audit chain BROKEN at row {report.broken_at} ({report.rows} rows read): "
            f"{report.problem}"
        )
        raise SystemExit(1)
    if point is not None:
        problem = audit.against_checkpoint(runtime.db, report, point)
        if problem:
            click.echo(f"audit chain TRUNCATED: {problem}")
            raise SystemExit(1)
    click.echo(f"audit chain intact: {report.rows} rows")
    if report.unkeyed:
        click.echo(f"note: the first {report.unkeyed} rows predate the audit key (SHA-256 only)")
    if point is not None:
        click.echo(
            f"checkpoint of {point['at']} holds: {point['rows']} rows up to {point['head_id']}"
        )


@audit_cli.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write it here.")
def audit_checkpoint(out: str | None) -> None:
    """Print (or write) a signed checkpoint of the chain's head; keep it off this server."""
    runtime = runtime_of(current_app)
    try:
        point = audit.checkpoint(runtime.db, runtime.audit_keys)
    except audit.CheckpointError as exc:
        raise click.ClickException(str(exc)) from None
    text = json.dumps(point, indent=2) + "\n"
    if out:
        Path(out).write_text(text)
        click.echo(f"checkpoint written to {out}: {point['rows']} rows up to {point['head_id']}")
    else:
        click.echo(text, nl=False)

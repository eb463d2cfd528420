"""Operator commands for staff access: ``users create|token|disable|revoke``, ``audit verify``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from verifier import audit
from verifier.runtime import runtime_of
from verifier.staff import accounts

users_cli = AppGroup("users", help="Staff accounts.")
audit_cli = AppGroup("audit", help="The audit trail.")


def _audit(action: str, object_id: str) -> None:
    audit.record(
        runtime_of(current_app).db,
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
def users_token(email: str) -> None:
    """Print a new personal API token (Authorization: Bearer ...)."""
    try:
        staff, token = accounts.issue_token(runtime_of(current_app), email)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("token_issued", str(staff.id))
    click.echo(token)


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
    click.echo(f"revoked {count} token(s)")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 naming the first row that was changed or removed."""
    report = audit.verify(runtime_of(current_app).db)
    if report.broken_at is not None:
        click.echo(f"audit chain BROKEN at row {report.broken_at} ({report.rows} rows read)")
        raise SystemExit(1)
    click.echo(f"audit chain intact: {report.rows} rows")

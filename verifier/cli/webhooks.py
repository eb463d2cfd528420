"""Operator commands for webhook endpoints: ``webhooks add|list|disable|enable|rotate-secret``.

``add`` and ``rotate-secret`` print the signing secret once; nothing stores it in clear.
Each change is audited with the actor ``cli``.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from verifier import audit
from verifier.runtime import runtime_of
from verifier.webhooks import endpoints
from verifier.webhooks.events import EVENT_TYPES, kick

webhooks_cli = AppGroup("webhooks", help="Webhook endpoints in the center's CRM/EHR.")


def _audit(action: str, endpoint_id: str) -> None:
    runtime = runtime_of(current_app)
    audit.record(
        runtime.db,
        runtime.audit_keys,
        audit.Entry(actor="cli", action=action, object_type="webhook", object_id=endpoint_id),
    )


def _events(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    chosen = [e.strip() for part in value for e in part.split(",") if e.strip()]
    unknown = sorted(set(chosen) - set(EVENT_TYPES))
    if unknown:
        raise click.BadParameter(
            f"unknown: {', '.join(unknown)} (choose from {', '.join(EVENT_TYPES)})"
        )
    return chosen


@webhooks_cli.command("add")
@click.argument("url")
@click.option(
    "--events",
    "event_types",
    multiple=True,
    required=True,
    callback=_events,
    help="Event types, comma-separated or repeated (e.g. verification.completed).",
)
@click.option("--description", default=None, help="Who receives it (no PHI).")
@click.option(
    "--include-summary", is_flag=True, help="Send the benefits summary (PHI; https only)."
)
def webhooks_add(
    url: str, event_types: list[str], description: str | None, include_summary: bool
) -> None:
    """Add an endpoint; prints its signing secret (shown once)."""
    try:
        created = endpoints.add(
            runtime_of(current_app),
            url,
            event_types,
            created_by="cli",
            description=description,
            include_summary=include_summary,
        )
    except endpoints.EndpointError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("webhook_added", created.endpoint["id"])
    click.echo(f"endpoint: {created.endpoint['id']}")
    click.echo(f"url:      {created.endpoint['url']}")
    click.echo(f"events:   {', '.join(created.endpoint['events'])}")
    click.echo(f"secret:   {created.secret}")
    click.echo("Give the secret to the receiver now; it is not shown again.")


@webhooks_cli.command("list")
def webhooks_list() -> None:
    """Every endpoint: id, state, URL and events (never a secret)."""
    for e in endpoints.list_endpoints(runtime_of(current_app)):
        state = "enabled" if e["enabled"] else f"disabled ({e['disabled_reason']})"
        if e["enabled"] and e["failing_since"]:
            state = f"failing since {e['failing_since'][:19]}"
        click.echo(f"{e['id']}  {state}  {e['url']}  {','.join(e['events'])}")


@webhooks_cli.command("disable")
@click.argument("endpoint_id")
def webhooks_disable(endpoint_id: str) -> None:
    """Stop sending to an endpoint (its events are kept)."""
    try:
        endpoints.set_enabled(runtime_of(current_app), endpoint_id, False)
    except endpoints.UnknownEndpoint:
        raise click.ClickException(f"no webhook endpoint {endpoint_id}") from None
    _audit("webhook_disabled", endpoint_id)
    click.echo(f"endpoint {endpoint_id} disabled")


@webhooks_cli.command("enable")
@click.argument("endpoint_id")
def webhooks_enable(endpoint_id: str) -> None:
    """Send again; what is pending goes first, in order."""
    runtime = runtime_of(current_app)
    try:
        endpoints.set_enabled(runtime, endpoint_id, True)
    except endpoints.UnknownEndpoint:
        raise click.ClickException(f"no webhook endpoint {endpoint_id}") from None
    _audit("webhook_enabled", endpoint_id)
    kick(runtime, [endpoint_id])
    click.echo(f"endpoint {endpoint_id} enabled")


@webhooks_cli.command("rotate-secret")
@click.argument("endpoint_id")
@click.option(
    "--overlap-hours",
    type=click.IntRange(0, 168),
    default=24,
    show_default=True,
    help="How long the old secret keeps signing beside the new one.",
)
def webhooks_rotate(endpoint_id: str, overlap_hours: int) -> None:
    """A new signing secret (printed once); both are sent during the overlap."""
    try:
        rotated = endpoints.rotate_secret(
            runtime_of(current_app), endpoint_id, dt.timedelta(hours=overlap_hours)
        )
    except endpoints.UnknownEndpoint:
        raise click.ClickException(f"no webhook endpoint {endpoint_id}") from None
    _audit("webhook_rotated", endpoint_id)
    click.echo(f"secret: {rotated.secret}")
    click.echo(f"the old secret also signs until {rotated.endpoint['previous_secret_until']}")

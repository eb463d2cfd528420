"""``flask --app wsgi jobs run NAME``: one scheduled job, once, now (operators and tests)."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from verifier.runtime import runtime_of

jobs_cli = AppGroup("jobs", help="Scheduled jobs (normally run by the one rq cron process).")


def _names() -> list[str]:
    from verifier.verifications.maintenance import JOBS

    return sorted(JOBS)


@jobs_cli.command("list")
def jobs_list() -> None:
    """Name every scheduled job."""
    for name in _names():
        click.echo(name)


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(_names()))
@click.option(
    "--now",
    "as_of",
    default=None,
    help="Run as of this UTC time (ISO 8601, e.g. 2026-12-01T09:00:00Z); default: now.",
)
def jobs_run(name: str, as_of: str | None) -> None:
    """Run the job NAME once and print how many verifications it touched."""
    from verifier.verifications.maintenance import JOBS

    now = None
    if as_of:
        try:
            now = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter(
                "use ISO 8601, e.g. 2026-12-01T09:00:00Z", param_hint="--now"
            ) from None
        now = now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC)
    count = JOBS[name](runtime_of(current_app), now=now)
    click.echo(f"{name}: {count}")

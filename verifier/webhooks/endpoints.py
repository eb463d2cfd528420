"""Webhook endpoints as admins manage them: add, list, disable, enable, rotate a secret.

A secret is shown once, when it is made; the row keeps it sealed with the Keyring
(``store.crypto``), bound to the endpoint's id. Rotation keeps the old secret for an
overlap (default 24 hours) during which both signatures are sent, so a receiver can
switch without dropping a message. URLs must be https in production; plain http is
allowed to loopback only, in development and tests. An endpoint sends the summary
(benefits: PHI) only when configured to and only to an https URL.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from verifier.runtime import Runtime
from verifier.store.models import WebhookEndpoint
from verifier.store.records import seal, unseal
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks import signing
from verifier.webhooks.events import EVENT_TYPES

ROTATION_OVERLAP = dt.timedelta(hours=24)
MAX_ENDPOINTS = 50


class EndpointError(ValueError):
    """An endpoint that cannot be saved: ``errors`` maps fields to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class UnknownEndpoint(LookupError):
    """No webhook endpoint has this id."""


@dataclass(frozen=True)
class Created:
    """A new endpoint (or a rotated secret): the secret is in here once, never again."""

    endpoint: dict[str, Any]
    secret: str

    def __repr__(self) -> str:
        return f"Created(endpoint={self.endpoint['id']!r}, secret=***)"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_errors(url: str, *, production: bool) -> list[str]:
    """What is wrong with a receiver URL ([] when it may be used)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ["Not a URL."]
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return ["Give a full URL like https://crm.example.org/hooks/verifier."]
    if parts.username or parts.password:
        return ["Put no credentials in the URL; the signature authenticates us."]
    if parts.scheme == "http" and (production or not _loopback(parts.hostname)):
        return ["Use https (plain http is allowed only to loopback, outside production)."]
    if len(url) > 2000:
        return ["At most 2000 characters."]
    return []


def validate(url: str, events: Sequence[str], *, production: bool) -> None:
    errors: dict[str, list[str]] = {}
    problems = url_errors(url, production=production)
    if problems:
        errors["url"] = problems
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if not events:
        errors["events"] = ["Subscribe to at least one event."]
    elif unknown:
        errors["events"] = [f"Unknown event(s): {', '.join(unknown)}."]
    if errors:
        raise EndpointError(errors)


def summary_allowed(endpoint: WebhookEndpoint) -> bool:
    """PHI only where the admin asked for it, and only over https."""
    return bool(endpoint.include_summary) and endpoint.url.startswith("https://")


def view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as listings show it: no secret, ever."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
        "include_summary": endpoint.include_summary,
        "sends_summary": summary_allowed(endpoint),
        "created_at": endpoint.created_at.isoformat(),
        "created_by": endpoint.created_by,
        "enabled": endpoint.disabled_at is None,
        "disabled_at": endpoint.disabled_at.isoformat() if endpoint.disabled_at else None,
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
        "previous_secret_until": (
            endpoint.previous_secret_until.isoformat() if endpoint.previous_secret_until else None
        ),
    }


def add(
    runtime: Runtime,
    url: str,
    events: Sequence[str],
    *,
    created_by: str,
    description: str | None = None,
    include_summary: bool = False,
) -> Created:
    events = list(dict.fromkeys(events))
    validate(url, events, production=runtime.settings.is_production)
    if include_summary and not url.startswith("https://"):
        raise EndpointError({"include_summary": ["The summary is sent only to an https URL."]})
    endpoint_id = uuid.uuid4().hex
    secret = signing.generate_secret()
    with runtime.db.session() as session:
        count = len(session.execute(select(WebhookEndpoint.id)).all())
        if count >= MAX_ENDPOINTS:
            raise EndpointError({"url": [f"At most {MAX_ENDPOINTS} endpoints."]})
        endpoint = WebhookEndpoint(
            id=endpoint_id,
            url=url,
            events=events,
            description=description,
            include_summary=include_summary,
            secret_enc=seal(runtime.keyring, "webhook.secret", endpoint_id, secret),
            created_at=utcnow(),
            created_by=created_by,
        )
        session.add(endpoint)
        session.flush()
        shown = view(endpoint)
    return Created(shown, secret)


def list_endpoints(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.db.session() as session:
        rows = session.execute(
            select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)
        ).scalars()
        return [view(row) for row in rows]


def get(runtime: Runtime, endpoint_id: str) -> dict[str, Any]:
    with runtime.db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise UnknownEndpoint(endpoint_id)
        return view(endpoint)


def set_enabled(
    runtime: Runtime, endpoint_id: str, enabled: bool, reason: str | None = None
) -> dict[str, Any]:
    """Disable (kept, nothing sent) or enable again (pending deliveries resume, in order)."""
    with runtime.db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise UnknownEndpoint(endpoint_id)
        if enabled:
            endpoint.disabled_at = None
            endpoint.disabled_reason = None
            endpoint.failing_since = None
        elif endpoint.disabled_at is None:
            endpoint.disabled_at = utcnow()
            endpoint.disabled_reason = reason or "disabled by an admin"
        session.flush()
        return view(endpoint)


def rotate_secret(
    runtime: Runtime, endpoint_id: str, overlap: dt.timedelta = ROTATION_OVERLAP
) -> Created:
    """A new secret; the old one keeps signing (second signature) for ``overlap``."""
    secret = signing.generate_secret()
    with runtime.db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise UnknownEndpoint(endpoint_id)
        old = unseal(runtime.keyring, "webhook.secret", endpoint_id, endpoint.secret_enc)
        endpoint.previous_secret_enc = seal(
            runtime.keyring, "webhook.previous_secret", endpoint_id, old
        )
        endpoint.previous_secret_until = utcnow() + overlap
        endpoint.secret_enc = seal(runtime.keyring, "webhook.secret", endpoint_id, secret)
        session.flush()
        shown = view(endpoint)
    return Created(shown, secret)


def endpoint_secrets(runtime: Runtime, endpoint: WebhookEndpoint) -> list[str]:
    """The secrets to sign with now: the current one, then the previous during overlap."""
    found = [unseal(runtime.keyring, "webhook.secret", endpoint.id, endpoint.secret_enc)]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret_enc and until is not None and until > utcnow():
        found.append(
            unseal(
                runtime.keyring,
                "webhook.previous_secret",
                endpoint.id,
                endpoint.previous_secret_enc,
            )
        )
    return found


def disabled_endpoints(runtime: Runtime) -> list[dict[str, Any]]:
    """Endpoints switched off (by failures or an admin): the console's warning."""
    return [e for e in list_endpoints(runtime) if not e["enabled"]]

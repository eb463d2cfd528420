"""Clearinghouse accounts (``[connections.NAME]``), kept apart from the payers they reach.

A center has one Stedi or Optum account, or one CAQH CORE SOAP login, and reaches hundreds
of payers through it. The payers file says so once::

    [connections.stedi]
    kind = "stedi"                                   # stedi | optum | core_soap | fhir |
                                                     # x12_http_raw | a plug-in's kind
    credentials = { api_key = "STEDI_API_KEY" }      # role -> environment variable name
    # endpoint = "https://..."                       # default: the kind's published URL
    # options = { raw_x12 = true }                   # or { api = "2026-06-01" }: the
                                                     # redesigned eligibility-check endpoint

    [payers.60054]
    name = "Aetna"
    connection = "stedi"
    # trading_partner_service_id = "60054"           # default: the payer id

A connection's payer list (``payers import``) lives in ``payers.<NAME>.json`` beside the
payers file (or the file its ``payer_list`` names); the payers file's own entries win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Connection kind -> (adapter, framing). Any other kind is a plug-in adapter's name.
KIND_ADAPTERS: dict[str, tuple[str, str | None]] = {
    "stedi": ("stedi", None),
    "optum": ("optum", None),
    "core_soap": ("x12_http", "core_soap"),
    "x12_http_raw": ("x12_http", "raw"),
    "fhir": ("fhir", None),
}
# The published production base URLs (Stedi API reference; Optum's developer portal).
# Stedi's redesigned endpoint, chosen with ``options = { api = "2026-06-01" }``.
STEDI_REDESIGNED_API = "2026-06-01"
STEDI_REDESIGNED_ENDPOINT = "https://healthcare.us.stedi.com/2026-06-01/eligibility-check"
DEFAULT_ENDPOINTS: dict[str, str] = {
    "stedi": "https://healthcare.us.stedi.com/2024-04-01/change/medicalnetwork/eligibility/v3",
    "optum": "https://apigw.optum.com/medicalnetwork/eligibility/v3",
}
_KNOWN_KEYS = {
    "kind",
    "endpoint",
    "credentials",
    "options",
    "payer_list",
    "rate_limit",
    "max_concurrency",
    "timeout",
}


class ConnectionError_(ValueError):
    """A connection table is malformed (raised as DirectoryError by the directory)."""


@dataclass(frozen=True)
class Connection:
    name: str
    kind: str
    endpoint: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    payer_list: str | None = None
    rate_limit: float | None = None
    max_concurrency: int | None = None
    timeout: float | None = None

    @property
    def adapter(self) -> str:
        return KIND_ADAPTERS.get(self.kind, (self.kind, None))[0]

    @property
    def framing(self) -> str | None:
        return KIND_ADAPTERS.get(self.kind, (self.kind, None))[1]


def parse_connections(raw: Any) -> dict[str, Connection]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConnectionError_("connections must be a table of [connections.NAME]")
    return {name: _connection(name, value) for name, value in raw.items()}


def _connection(name: str, raw: Any) -> Connection:
    where = f"connections.{name}"
    if not isinstance(raw, Mapping):
        raise ConnectionError_(f"{where} must be a table")
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise ConnectionError_(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ConnectionError_(f"{where}.kind must name a kind (stedi, optum, core_soap, ...)")
    options = raw.get("options", {})
    if not isinstance(options, Mapping):
        raise ConnectionError_(f"{where}.options must be a table")
    default = DEFAULT_ENDPOINTS.get(kind)
    if kind == "stedi" and options.get("api") == STEDI_REDESIGNED_API:
        default = STEDI_REDESIGNED_ENDPOINT
    endpoint = raw.get("endpoint", default)
    if endpoint is not None and (not isinstance(endpoint, str) or "://" not in endpoint):
        raise ConnectionError_(f"{where}.endpoint must be a URL")
    credentials = raw.get("credentials", {})
    if not isinstance(credentials, Mapping) or not all(
        isinstance(v, str) for v in credentials.values()
    ):
        raise ConnectionError_(f"{where}.credentials must map roles to environment variable names")
    payer_list = raw.get("payer_list")
    if payer_list is not None and not isinstance(payer_list, str):
        raise ConnectionError_(f"{where}.payer_list must be a file name")
    return Connection(
        name=name,
        kind=kind,
        endpoint=endpoint.rstrip("/") if endpoint else None,
        credentials=dict(credentials),
        options=dict(options),
        payer_list=payer_list,
        rate_limit=_number(where, "rate_limit", raw.get("rate_limit")),
        max_concurrency=_whole(where, "max_concurrency", raw.get("max_concurrency")),
        timeout=_number(where, "timeout", raw.get("timeout")),
    )


def _number(where: str, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConnectionError_(f"{where}.{key} must be a positive number")
    return float(value)


def _whole(where: str, key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConnectionError_(f"{where}.{key} must be a positive whole number")
    return value

"""The payer directory: which payers exist, how to reach each, and our contract with it.

Read from config/payers.toml (VERIFIER_PAYERS_FILE overrides the path). Validation is
strict and names the offending key, because a typo here silently sends a patient's
check to the wrong place. Payers reached through a clearinghouse account name it with
``connection`` (``verifier.payers.connections``); a connection's imported payer list is
read from beside the payers file, and the payers file's own entries win over it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.payers.connections import Connection, ConnectionError_, parse_connections
from verifier.x12.charset import X12InputError, clean_identifier

FRAMINGS = ("raw", "core_soap")
_KNOWN_KEYS = {
    "name",
    "aliases",
    "adapter",
    "framing",
    "endpoint",
    "in_network",
    "credentials",
    "capabilities",
    "rate_limit",
    "max_concurrency",
    "timeout",
    "options",
    "connection",
    "trading_partner_service_id",
}


class DirectoryError(ValueError):
    """The payer directory file is malformed; the message names the payer and key."""


class UnknownPayer(ValueError):
    """A submission or a stored row names a payer the directory does not know."""


@dataclass(frozen=True)
class Capabilities:
    real_time: bool = True
    service_types: tuple[str, ...] = ()  # empty: not known, ask with the ladder
    multiple_service_types: bool = False
    # Member matching (verifications.matching): the TR3's optional Name/Date of Birth
    # search (§1.4.8), and a Blue plan's member ids (a 3-character alpha prefix).
    name_dob_search: bool = False
    # A member id + date of birth search with no name: not one of the TR3's required
    # searches (DSMO change request 1140 asked to mandate it and was disapproved), so
    # used only for a payer that says it offers it.
    id_dob_search: bool = False
    blue_plan: bool = False


@dataclass(frozen=True)
class PayerEntry:
    id: str
    name: str
    adapter: str
    aliases: tuple[str, ...] = ()
    framing: str | None = None
    endpoint: str | None = None
    in_network: bool | None = None  # the facility's contract; None: not recorded
    credentials: Mapping[str, str] = field(default_factory=dict)  # role -> env var name
    capabilities: Capabilities = field(default_factory=Capabilities)
    rate_limit: float | None = None  # requests per second, shared by all workers
    max_concurrency: int | None = None
    timeout: float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    connection: str | None = None  # the [connections.NAME] this payer is reached through
    # Casefolded id, name and aliases, one per line: the picker searches thousands of these.
    haystack: str = field(init=False, default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        text = "\n".join((self.id, self.name, *self.aliases)).casefold()
        object.__setattr__(self, "haystack", text)

    @property
    def trading_partner_service_id(self) -> str:
        """The id the clearinghouse routes by (NM109 of 2100A); default: our payer id."""
        return str(self.options.get("trading_partner_service_id") or self.id)

    def matches(self, query: str) -> bool:
        needle = query.casefold().strip()
        return not needle or needle in self.haystack

    def public(self) -> dict[str, Any]:
        """What the visitor's picker may see: no endpoints, no credential names."""
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "capabilities": {
                "real_time": self.capabilities.real_time,
                "service_types": list(self.capabilities.service_types),
                "multiple_service_types": self.capabilities.multiple_service_types,
            },
        }


@dataclass(frozen=True)
class PayerDirectory:
    entries: Mapping[str, PayerEntry]
    connections: Mapping[str, Connection] = field(default_factory=dict)
    _by_name: tuple[PayerEntry, ...] = field(init=False, default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = sorted(self.entries.values(), key=lambda entry: entry.name.casefold())
        object.__setattr__(self, "_by_name", tuple(ordered))

    def get(self, payer_id: str) -> PayerEntry | None:
        return self.entries.get(payer_id)

    def search(self, query: str = "", limit: int | None = None) -> list[PayerEntry]:
        """Payers whose id, name or an alias contains ``query``, best matches first.

        An id or a name that starts with the query comes first, then a word that starts
        with it, then any other match; by name within each (sorted once, at load). With a
        clearinghouse's thousands of payers a short query matches half of them, so the
        picker asks for the best ``limit`` only.
        """
        needle = query.casefold().strip()
        if not needle:
            return list(self._by_name[:limit] if limit else self._by_name)
        starts: list[PayerEntry] = []
        words: list[PayerEntry] = []
        inside: list[PayerEntry] = []
        line, word = "\n" + needle, " " + needle
        for entry in self._by_name:
            haystack = entry.haystack
            if needle not in haystack:
                continue
            if haystack.startswith(needle) or line in haystack:
                starts.append(entry)
            elif word in haystack:
                words.append(entry)
            else:
                inside.append(entry)
        found = starts + words + inside
        return found[:limit] if limit else found

    @classmethod
    def load(cls, path: Path) -> PayerDirectory:
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise DirectoryError(f"payer directory {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise DirectoryError(f"payer directory {path} is not valid TOML: {exc}") from None
        return cls.from_mapping(data, base_dir=path.parent)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base_dir: Path | None = None) -> PayerDirectory:
        from verifier.payers.payer_list import imported_path, read_imported

        try:
            connections = parse_connections(data.get("connections"))
        except ConnectionError_ as exc:
            raise DirectoryError(str(exc)) from None
        payers = data.get("payers", {})
        if not isinstance(payers, Mapping):
            raise DirectoryError("payer directory needs a [payers.<id>] table")
        entries = {payer_id: _entry(payer_id, raw, connections) for payer_id, raw in payers.items()}
        for connection in connections.values():
            if base_dir is None:
                continue
            for payer_id, raw in read_imported(imported_path(base_dir, connection)).items():
                if payer_id not in entries:  # the hand-kept payers file wins
                    entries[payer_id] = _entry(
                        payer_id, raw | {"connection": connection.name}, connections
                    )
        if not entries:
            raise DirectoryError("payer directory needs a [payers.<id>] table")
        return cls(entries=entries, connections=connections)


def _entry(
    payer_id: str, raw: Any, connections: Mapping[str, Connection] | None = None
) -> PayerEntry:
    where = f"payers.{payer_id}"
    if not isinstance(raw, Mapping):
        raise DirectoryError(f"{where} must be a table")
    try:
        if clean_identifier(payer_id, where) != payer_id:
            raise DirectoryError(f"{where}: payer id must be upper-case letters, digits, -")
    except X12InputError as exc:
        raise DirectoryError(f"{where}: payer id {exc.message}") from None
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise DirectoryError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DirectoryError(f"{where}.name must be a non-empty string")
    connection = _connection_of(where, raw, connections or {})
    if connection is not None:
        raw = _through(connection, raw)
    adapter = raw.get("adapter")
    if not isinstance(adapter, str) or not adapter:
        raise DirectoryError(f"{where}.adapter must name an adapter")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise DirectoryError(f"{where}.aliases must be a list of strings")
    framing = raw.get("framing")
    if framing is not None and framing not in FRAMINGS:
        raise DirectoryError(f"{where}.framing must be one of {', '.join(FRAMINGS)}")
    if adapter == "x12_http" and framing is None:
        framing = "raw"
    in_network = raw.get("in_network")
    if in_network is not None and not isinstance(in_network, bool):
        raise DirectoryError(f"{where}.in_network must be true or false")
    endpoint = raw.get("endpoint")
    if endpoint is not None and (not isinstance(endpoint, str) or "://" not in endpoint):
        raise DirectoryError(f"{where}.endpoint must be a URL")
    credentials = raw.get("credentials", {})
    if not isinstance(credentials, Mapping) or not all(
        isinstance(v, str) for v in credentials.values()
    ):
        raise DirectoryError(f"{where}.credentials must map roles to environment variable names")
    return PayerEntry(
        id=payer_id,
        name=name.strip(),
        adapter=adapter,
        aliases=tuple(aliases),
        framing=framing,
        endpoint=endpoint,
        in_network=in_network,
        credentials=dict(credentials),
        capabilities=_capabilities(where, raw.get("capabilities", {})),
        rate_limit=_positive(where, "rate_limit", raw.get("rate_limit")),
        max_concurrency=_positive_int(where, "max_concurrency", raw.get("max_concurrency")),
        timeout=_positive(where, "timeout", raw.get("timeout")),
        options=dict(raw.get("options", {})),
        connection=connection.name if connection is not None else None,
    )


def _connection_of(
    where: str, raw: Mapping[str, Any], connections: Mapping[str, Connection]
) -> Connection | None:
    name = raw.get("connection")
    service_id = raw.get("trading_partner_service_id")
    if service_id is not None and (not isinstance(service_id, str) or not service_id.strip()):
        raise DirectoryError(f"{where}.trading_partner_service_id must be a string")
    if name is None:
        return None
    if not isinstance(name, str) or name not in connections:
        raise DirectoryError(f"{where}.connection names no [connections.{name}] table")
    if "adapter" in raw:
        raise DirectoryError(f"{where}: set either adapter or connection, not both")
    return connections[name]


def _through(connection: Connection, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The payer's table with the connection's adapter, endpoint, secrets and options."""
    merged = dict(raw)
    merged.pop("connection", None)
    merged["adapter"] = connection.adapter
    if connection.framing is not None:
        merged.setdefault("framing", connection.framing)
    if connection.endpoint is not None:
        merged.setdefault("endpoint", connection.endpoint)
    merged.setdefault("credentials", dict(connection.credentials))
    options = dict(connection.options) | dict(raw.get("options") or {})
    service_id = merged.pop("trading_partner_service_id", None)
    if service_id:
        options["trading_partner_service_id"] = service_id.strip()
    options["connection_kind"] = connection.kind
    merged["options"] = options
    if "rate_limit" not in raw and "max_concurrency" not in raw and (
        connection.rate_limit or connection.max_concurrency
    ):
        # The account's limit (Stedi: 5 concurrent requests by default) binds all its payers
        # together: resilience.limits_key_prefix keys the slots and rate by the connection.
        options["limits_scope"] = f"connection:{connection.name}"
    for key in ("rate_limit", "max_concurrency", "timeout"):
        value = getattr(connection, key)
        if value is not None:
            merged.setdefault(key, value)
    return merged


def _capabilities(where: str, raw: Any) -> Capabilities:
    if not isinstance(raw, Mapping):
        raise DirectoryError(f"{where}.capabilities must be a table")
    unknown = set(raw) - set(_FLAGS) - {"service_types"}
    if unknown:
        raise DirectoryError(f"{where}.capabilities: unknown key(s) {', '.join(sorted(unknown))}")
    service_types = raw.get("service_types", [])
    if not isinstance(service_types, list) or not all(isinstance(s, str) for s in service_types):
        raise DirectoryError(f"{where}.capabilities.service_types must be a list of codes")
    for flag in _FLAGS:
        if flag in raw and not isinstance(raw[flag], bool):
            raise DirectoryError(f"{where}.capabilities.{flag} must be true or false")
    return Capabilities(
        real_time=raw.get("real_time", True),
        service_types=tuple(service_types),
        multiple_service_types=raw.get("multiple_service_types", False),
        name_dob_search=raw.get("name_dob_search", False),
        id_dob_search=raw.get("id_dob_search", False),
        blue_plan=raw.get("blue_plan", False),
    )


_FLAGS = ("real_time", "multiple_service_types", "name_dob_search", "id_dob_search", "blue_plan")


def _positive(where: str, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise DirectoryError(f"{where}.{key} must be a positive number")
    return float(value)


def _positive_int(where: str, key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise DirectoryError(f"{where}.{key} must be a positive whole number")
    return value

"""A clearinghouse's payer list, read from its export and kept beside the payers file.

Read shapes:

* Stedi's List Payers JSON (``GET /payers``, https://www.stedi.com/docs/healthcare/api-reference/get-payers):
  ``{"items": [{"stediId", "displayName", "primaryPayerId", "aliases": [...], "names": [...],
  "transactionSupport": {"eligibilityCheck": "SUPPORTED" | "ENROLLMENT_REQUIRED" |
  "NOT_SUPPORTED"}}], "nextPageToken"}``; NOT_SUPPORTED payers are left out. The API pages
  its answer: import each page, or the CSV, which is the whole list.
* Stedi's List Payers CSV (``GET /payers/csv``, its published example): ``StediId``,
  ``PrimaryPayerId``, ``DisplayName``, ``Names``, ``Aliases`` (lists separated by ``|``),
  ``EligibilityInquiry`` (``true``/``false``) and many more columns. Column names are
  matched loosely (case, spaces), see ``_COLUMNS``.
* A plain CSV ``id,name,aliases`` (aliases separated by ``|`` or ``;``).

The result is written as JSON to ``payers.<connection>.json`` beside the payers file (or the
connection's ``payer_list``), which the directory reads. Importing again keeps what the
facility recorded there (``in_network``, ``capabilities``, a ``trading_partner_service_id``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.payers.connections import Connection

KEPT_FIELDS = ("in_network", "capabilities", "trading_partner_service_id", "rate_limit")
_COLUMNS = {
    "id": ("primarypayerid", "payerid", "id", "payer_id"),
    "name": ("displayname", "name", "payername"),
    "aliases": ("aliases", "aliasesids", "payeridaliases", "aliasids"),
    "names": ("names", "othernames"),
    "eligibility": ("eligibilitycheck", "eligibilitychecks", "eligibility", "eligibilityinquiry"),
}
_SPLIT = re.compile(r"[|;]")
_ID_CLEAN = re.compile(r"[^A-Z0-9-]")


class PayerListError(ValueError):
    """The file is not a payer list we can read; the message names the line or field."""


@dataclass(frozen=True)
class ListedPayer:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


def imported_path(base_dir: Path, connection: Connection) -> Path:
    return base_dir / (connection.payer_list or f"payers.{connection.name}.json")


def read_imported(path: Path) -> dict[str, dict[str, Any]]:
    """The payer tables of an imported list; nothing when no list was imported yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise PayerListError(f"payer list {path.name} is unreadable: {exc}") from None
    payers = data.get("payers") if isinstance(data, Mapping) else None
    if not isinstance(payers, Mapping):
        raise PayerListError(f"payer list {path.name} has no payers table")
    return {str(key): dict(value) for key, value in payers.items() if isinstance(value, Mapping)}


def parse(text: str, filename: str = "") -> list[ListedPayer]:
    """The payers in an export, JSON or CSV (by content, not by the file's name)."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith(("{", "[")):
        return _from_json(stripped)
    return _from_csv(stripped)


def _payer_id(value: Any) -> str | None:
    text = _ID_CLEAN.sub("", str(value or "").strip().upper())
    return text or None


def _listed(
    raw_id: Any, name: Any, aliases: Iterable[Any], names: Iterable[Any]
) -> ListedPayer | None:
    payer_id = _payer_id(raw_id)
    display = str(name or "").strip()
    if payer_id is None or not display:
        return None
    extra = [str(a).strip() for a in (*aliases, *names) if str(a or "").strip()]
    unique = tuple(dict.fromkeys(a for a in extra if a not in (payer_id, display)))
    return ListedPayer(payer_id, display, unique)


def _from_json(text: str) -> list[ListedPayer]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayerListError(f"payer list is not valid JSON (line {exc.lineno})") from None
    items = data.get("items") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise PayerListError("payer list JSON needs an items array (Stedi's List Payers shape)")
    found = []
    for index, item in enumerate(items):
        record = item.get("payer", item) if isinstance(item, Mapping) else None
        if not isinstance(record, Mapping):
            raise PayerListError(f"items[{index}] is not an object")
        support = record.get("transactionSupport")
        stated = support.get("eligibilityCheck") if isinstance(support, Mapping) else None
        if stated is not None and str(stated).upper() == "NOT_SUPPORTED":
            continue  # ENROLLMENT_REQUIRED still takes checks once the center enrolls
        aliases = record.get("aliases") or []
        names = record.get("names") or []
        if not isinstance(aliases, list) or not isinstance(names, list):
            raise PayerListError(f"items[{index}].aliases must be a list")
        listed = _listed(
            record.get("primaryPayerId") or record.get("id"),
            record.get("displayName") or record.get("name"),
            aliases,
            names,
        )
        if listed is not None:
            found.append(listed)
    return found


def _column(header: list[str], role: str) -> int | None:
    keys = [re.sub(r"[\s_-]", "", h).casefold() for h in header]
    for wanted in _COLUMNS[role]:
        if wanted.replace("_", "") in keys:
            return keys.index(wanted.replace("_", ""))
    return None


def _from_csv(text: str) -> list[ListedPayer]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise PayerListError("payer list is empty")
    header = rows[0]
    id_at, name_at = _column(header, "id"), _column(header, "name")
    if id_at is None or name_at is None:
        raise PayerListError("payer list CSV needs id and name columns (id,name,aliases)")
    aliases_at, names_at = _column(header, "aliases"), _column(header, "names")
    eligibility_at = _column(header, "eligibility")
    found = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        if eligibility_at is not None and row[eligibility_at].strip().upper() in (
            "FALSE",
            "NO",
            "0",
            "NOT_SUPPORTED",
        ):
            continue
        listed = _listed(
            row[id_at],
            row[name_at],
            _SPLIT.split(row[aliases_at]) if aliases_at is not None else [],
            _SPLIT.split(row[names_at]) if names_at is not None else [],
        )
        if listed is None:
            raise PayerListError(f"payer list line {line}: id and name are required")
        found.append(listed)
    return found


@dataclass(frozen=True)
class ImportReport:
    written: int
    added: int
    kept_contracts: int
    in_payers_file: int
    path: Path


def merge(
    listed: list[ListedPayer],
    previous: Mapping[str, Mapping[str, Any]],
    hand_kept: Iterable[str],
) -> tuple[dict[str, dict[str, Any]], int, int, int]:
    """The new payer tables; facility fields of the previous import carried over."""
    hand = set(hand_kept)
    tables: dict[str, dict[str, Any]] = {}
    added = kept = shadowed = 0
    for payer in listed:
        if payer.id in tables:
            continue
        table: dict[str, Any] = {"name": payer.name}
        if payer.aliases:
            table["aliases"] = list(payer.aliases)
        before = previous.get(payer.id)
        if before is None:
            added += 1
        else:
            carried = {key: before[key] for key in KEPT_FIELDS if key in before}
            kept += "in_network" in carried
            table |= carried
        shadowed += payer.id in hand
        tables[payer.id] = table
    return tables, added, kept, shadowed


def write_imported(path: Path, connection: str, source: str, tables: Mapping[str, Any]) -> None:
    """Atomically: a worker reading the list never sees half a file."""
    document = {
        "connection": connection,
        "source": source,
        "payers": dict(sorted(tables.items())),
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, ensure_ascii=False)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

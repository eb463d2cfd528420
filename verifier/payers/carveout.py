"""Find the directory entry for a carve-out administrator a 271 names (docs/design.md §7).

A summary's ``administrator`` (name, payer_id, phone) comes from the payer's 271, so its
id may be the administrator's own payer id or missing, and its name may be spelled as the
payer spells it ("OPTUM BEHAVIORAL HEALTH"). Match the id first, then a whole-name match on
name or alias, then a name that contains a directory name or alias.
"""

from __future__ import annotations

import re

from verifier.coverage.model import Administrator
from verifier.payers.directory import PayerDirectory, PayerEntry


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def administrator_payer(
    directory: PayerDirectory, administrator: Administrator | None
) -> PayerEntry | None:
    """The entry to re-query for the administrator, or None when the directory has none."""
    if administrator is None:
        return None
    payer_id = (administrator.payer_id or "").strip().upper()
    if payer_id and directory.get(payer_id) is not None:
        return directory.get(payer_id)
    name = _words(administrator.name or "")
    if not name:
        return None
    entries = list(directory.entries.values())
    for entry in entries:
        if name in {_words(text) for text in (entry.name, *entry.aliases)}:
            return entry
    best: tuple[int, PayerEntry] | None = None
    for entry in entries:
        for text in (entry.name, *entry.aliases):
            words = _words(text)
            longer = best is None or len(words) > best[0]
            if longer and len(words) >= 5 and re.search(rf"\b{re.escape(words)}\b", name):
                best = (len(words), entry)
    return best[1] if best else None

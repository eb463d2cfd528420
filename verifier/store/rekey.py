"""Key rotation's second half: re-seal every stored value under the primary key.

Putting a new key first in VERIFIER_DATA_KEY only changes what new writes use; every
value sealed before stays under the old key (which can then never be removed), and the
verifications' blind indexes stay the old key's hashes. ``rekey`` walks every sealed
column, opens each value that names another key, seals it again under the primary and,
for the member record, recomputes the blind indexes in the same update.

Built to run on a live system and to be stopped at any time:

* values already under the primary are skipped by their key id, read from the token
  (``v1.<kid>.``) in SQL, so a re-run resumes where the last one stopped without
  opening anything twice;
* work goes in batches, one short transaction each;
* each update is conditional on the token it read (``WHERE id = :id AND col = :old``):
  a value a worker or a coordinator changed meanwhile is left alone, not overwritten
  with the stale plaintext (it is under the primary already, being newly written);
* a value that does not open (unknown key id, tampered, or moved) is reported by
  table, column and row id, and left as it is.

Nothing here returns or logs a plaintext: reports hold counts, key ids and row ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, Update, and_, bindparam, case, func, select, update
from sqlalchemy.sql.elements import ColumnElement

from verifier.store.crypto import DecryptionError, Keyring
from verifier.store.db import Database
from verifier.store.models import (
    Attempt,
    Authorization,
    CallbackRequest,
    Disclosure,
    Note,
    PhoneVob,
    StaffUser,
    Verification,
    WebhookEndpoint,
    WebhookEvent,
)
from verifier.store.records import MemberRecord, attempt_key, blind_indexes, context

log = logging.getLogger(__name__)

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class SealedColumn:
    """One ``*_enc`` column and how its values are bound to their row.

    ``purpose`` and ``row_key`` must match the ``seal(keyring, purpose, row_key, …)``
    call that writes the column: they make the associated data the value opens with.
    """

    table: Table
    column: str
    purpose: str
    key_column: str  # the column the associated data's row id comes from
    row_key: Callable[[Any], str] = str
    reindex: bool = False  # the member record: recompute the blind indexes too

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column}"


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


# Every sealed column (models.py) with the purpose and row id its writers seal it to:
# verifications.intake (member, contact), verifications.check._finish (result),
# attempts.closed_attempt (attempt.*), accounts.create_user (staff.totp, to the email),
# work.add_note (note), callbacks.request_callback (callback.contact),
# part2.consent.sealed_values (part2.consent), part2.ledger.record (part2.disclosure).
# staff.phone_vob.record (phone_vob), staff.authorizations (authorization).
SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn(_table(Verification), "member_enc", "member", "id", reindex=True),
    SealedColumn(_table(Verification), "contact_enc", "contact", "id"),
    SealedColumn(_table(Verification), "result_enc", "result", "id"),
    SealedColumn(_table(Attempt), "request_enc", "attempt.request", "id", attempt_key),
    SealedColumn(_table(Attempt), "response_enc", "attempt.response", "id", attempt_key),
    SealedColumn(_table(StaffUser), "totp_secret_enc", "staff.totp", "email"),
    SealedColumn(_table(Note), "text_enc", "note", "id"),
    SealedColumn(_table(CallbackRequest), "contact_enc", "callback.contact", "id"),
    # 42 CFR Part 2 (verifier.part2): the consent as signed, and what each disclosure sent.
    SealedColumn(_table(Verification), "part2_consent_enc", "part2.consent", "id"),
    SealedColumn(_table(Disclosure), "content_enc", "part2.disclosure", "id"),
    # Webhooks (issue 20): endpoints' signing secrets, the outbox's summaries.
    SealedColumn(_table(WebhookEndpoint), "secret_enc", "webhook.secret", "id"),
    SealedColumn(_table(WebhookEndpoint), "previous_secret_enc", "webhook.previous_secret", "id"),
    SealedColumn(_table(WebhookEvent), "summary_enc", "webhook.summary", "msg_id"),
    # staff.phone_vob.record (phone_vob) and staff.authorizations (authorization): 0007.
    SealedColumn(_table(PhoneVob), "record_enc", "phone_vob", "id"),
    SealedColumn(_table(Authorization), "details_enc", "authorization", "id"),
)


@dataclass(frozen=True)
class Unreadable:
    """A value that would not open: where it is, and why (never what it holds)."""

    column: str  # table.column
    row_id: str
    reason: str


@dataclass
class ColumnResult:
    column: str  # table.column
    resealed: int = 0
    changed: int = 0  # rewritten by someone else between our read and our update
    unreadable: list[Unreadable] = field(default_factory=list)


@dataclass
class RekeyReport:
    primary: str
    columns: list[ColumnResult]
    stopped_at_limit: bool = False

    @property
    def resealed(self) -> int:
        return sum(c.resealed for c in self.columns)

    @property
    def unreadable(self) -> list[Unreadable]:
        return [u for c in self.columns for u in c.unreadable]


@dataclass(frozen=True)
class ColumnCount:
    """How a column's values are sealed: per key id in the ring, and by keys it lacks."""

    column: str  # table.column
    by_key: dict[str, int]  # every kid in the ring, the primary's included
    other: int  # sealed under a key id the ring does not hold, or not a token at all

    def outside_primary(self, primary: str) -> int:
        return self.other + sum(n for kid, n in self.by_key.items() if kid != primary)


def _stored(table: Table, column: str) -> ColumnElement[bool]:
    """A value is stored: not NULL, and not the empty string a purge leaves behind."""
    col = table.c[column]
    return and_(col.is_not(None), col != "")


def _sealed_under(table: Table, column: str, prefix: str) -> ColumnElement[bool]:
    """The value starts with ``prefix`` (``v1.<kid>.``), compared exactly.

    Not LIKE: SQLite's LIKE ignores ASCII case, and key ids are case-sensitive.
    """
    return func.substr(table.c[column], 1, len(prefix)) == prefix


def count(db: Database, keyring: Keyring) -> list[ColumnCount]:
    """Per column, how many values each key seals; reads key ids only, opens nothing.

    One scan per column: the stored values, and per key id a COUNT of a CASE that is
    NULL unless the value is sealed under that key.
    """
    counts = []
    kids = list(keyring.keys)
    with db.engine.connect() as connection:
        for sealed in SEALED_COLUMNS:
            under = [
                _sealed_under(sealed.table, sealed.column, keyring.sealed_prefix(kid))
                for kid in kids
            ]
            total, *per_kid = connection.execute(
                select(func.count(), *(func.count(case((cond, 1))) for cond in under))
                .select_from(sealed.table)
                .where(_stored(sealed.table, sealed.column))
            ).one()
            by_key = dict(zip(kids, per_kid, strict=True))
            counts.append(ColumnCount(sealed.name, by_key, total - sum(by_key.values())))
    return counts


def rekey(
    db: Database,
    keyring: Keyring,
    *,
    batch_size: int = DEFAULT_BATCH,
    limit: int | None = None,
) -> RekeyReport:
    """Re-seal every value not under the primary key; ``limit``: stop after that many.

    Safe to run again at any time: values under the primary are not read twice, and a
    run stopped part-way (``limit``, a crash, Ctrl-C) loses at most one batch's work.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RekeyReport(primary=keyring.primary, columns=[])
    budget = limit
    for sealed in SEALED_COLUMNS:
        result = ColumnResult(sealed.name)
        report.columns.append(result)
        if budget is not None and budget <= 0:
            report.stopped_at_limit = True
            continue
        statement = _update_statement(sealed)
        last: Any = None
        while True:
            take = batch_size if budget is None else min(batch_size, budget)
            batch = _batch(db, keyring, sealed, take, after=last)
            if not batch:
                break
            changes = [c for c in (_resealed(keyring, sealed, row, result) for row in batch) if c]
            if changes:
                # One short transaction per batch, opened after the crypto; executemany's
                # rowcount is the rows matched (both dialects count it: sane_multi_rowcount).
                with db.engine.begin() as connection:
                    updated = connection.execute(statement, changes).rowcount
                result.resealed += updated
                result.changed += len(changes) - updated
            last = batch[-1][0]
            if budget is not None:
                budget -= len(batch)
                if budget <= 0:
                    report.stopped_at_limit = True
                    break
        log.info(
            "rekey %s: %d re-sealed, %d changed meanwhile, %d unreadable",
            sealed.name,
            result.resealed,
            result.changed,
            len(result.unreadable),
        )
    return report


Row = tuple[Any, str, str]  # primary key, the row id sealed into the value, the token


def _batch(
    db: Database, keyring: Keyring, sealed: SealedColumn, size: int, *, after: Any
) -> list[Row]:
    """Up to ``size`` values not under the primary, in primary-key order, after ``after``.

    Keyset paging (``id > after``, None for the first batch) rather than re-querying from
    the start: a value that will not open keeps matching the filter and must not be
    fetched forever.
    """
    table = sealed.table
    pk = table.c.id
    col = table.c[sealed.column]
    statement = (
        select(pk, table.c[sealed.key_column], col)
        .where(
            _stored(table, sealed.column),
            ~_sealed_under(table, sealed.column, keyring.sealed_prefix()),
        )
        .order_by(pk)
        .limit(size)
    )
    if after is not None:
        statement = statement.where(pk > after)
    with db.engine.connect() as connection:
        return [(r[0], sealed.row_key(r[1]), r[2]) for r in connection.execute(statement)]


def _update_statement(sealed: SealedColumn) -> Update:
    """Built once per column: the new token, only where the row still holds the old one.

    The condition on the old token is what keeps a value written meanwhile (by a worker
    finishing a check, a coordinator's note) from being overwritten with stale data.
    """
    table = sealed.table
    values: dict[str, Any] = {sealed.column: bindparam("new_token")}
    if sealed.reindex:
        values |= {name: bindparam(f"new_{name}") for name in INDEX_COLUMNS}
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c[sealed.column] == bindparam("old_token"))
        .values(values)
    )


def _resealed(
    keyring: Keyring, sealed: SealedColumn, row: Row, result: ColumnResult
) -> dict[str, Any] | None:
    """The update's parameters for one value, or None (recorded) when it will not open."""
    row_id, row_key, token = row
    aad = context(sealed.purpose, row_key)
    try:
        plaintext = keyring.decrypt(token, aad)
        change: dict[str, Any] = {
            "row_id": row_id,
            "old_token": token,
            "new_token": keyring.encrypt(plaintext, aad),
        }
        if sealed.reindex:
            indexes = _blind_indexes(keyring, plaintext)
            change |= {f"new_{name}": indexes[name] for name in INDEX_COLUMNS}
    except (DecryptionError, ValueError, KeyError, TypeError) as exc:
        # DecryptionError: unknown key id or failed authentication; the rest: a token
        # that is not base64, or a member record that does not parse. Left untouched;
        # the reason is ours, never the exception's text (which could quote a value).
        reason = str(exc) if isinstance(exc, DecryptionError) else "stored value is malformed"
        result.unreadable.append(Unreadable(sealed.name, str(row_id), reason))
        return None
    return change


INDEX_COLUMNS = ("index_member_id", "index_last_name", "index_first_name", "index_birth_date")


def _blind_indexes(keyring: Keyring, member_json: str) -> dict[str, str]:
    """The verification's search indexes under the primary, as submit writes them."""
    return blind_indexes(keyring, MemberRecord.from_json(member_json))

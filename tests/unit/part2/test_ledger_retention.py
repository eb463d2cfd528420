"""The list of disclosures outlives the visitor's purge, and ends with its own retention.

A visitor's PHI is erased after VERIFIER_RETENTION_DAYS (90); the patient may ask for the
list of disclosures for 3 years (42 CFR §2.24), and the signed consent is the program's
record that each disclosure was authorised (kept 6 years, 45 CFR 164.530(j)). So a purged
Part 2 row keeps its consent and ledger until VERIFIER_PART2_LEDGER_RETENTION_DAYS.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from tests.unit.part2.conftest import part2_form, verification_id_of
from verifier.part2 import ledger
from verifier.runtime import Runtime
from verifier.store.models import Disclosure, Verification
from verifier.verifications import maintenance
from verifier.verifications.check import run_check
from verifier.verifications.lifecycle import utcnow


def member_id() -> str:
    return "SBX-ACTIVE-" + "".join(chr(65 + int(c, 16)) for c in uuid.uuid4().hex[:8])


def age(runtime: Runtime, verification_id: str, days: int) -> None:
    """Move a verification and its disclosures ``days`` into the past."""
    back = dt.timedelta(days=days)
    with runtime.db.session() as session:
        row = session.get_one(Verification, verification_id)
        row.created_at = row.created_at - back
        for disclosure in session.scalars(
            select(Disclosure).where(Disclosure.verification_id == verification_id)
        ):
            disclosure.disclosed_at = disclosure.disclosed_at - back


def purged_part2_check(post_form: Callable[..., Any], runtime: Runtime, member: str) -> str:
    vid = verification_id_of(post_form(part2_form(member)))
    assert run_check(runtime, vid) == "completed"
    age(runtime, vid, runtime.settings.retention_days + 1)
    maintenance.purge_expired(runtime)
    with runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        assert row.purged_at is not None and row.index_member_id is None
    return vid


def test_a_purged_visitors_list_of_disclosures_is_still_found_and_exported(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    vid = purged_part2_check(post_form, part2_runtime, member_id())
    entries = ledger.for_person(part2_runtime, vid)
    assert [(e.kind, e.recipient_id, e.outcome) for e in entries] == [
        ("eligibility", "SANDBOX", "answered")
    ]
    assert "SANDBOX" in ledger.export_csv(entries)
    with part2_runtime.db.session() as session:
        row = session.get_one(Verification, vid)
        assert row.part2_consent_enc is not None  # the signed consent, still sealed
        assert row.member_enc == "" and row.contact_enc is None  # the rest is erased


def test_a_later_check_of_the_same_person_lists_the_purged_disclosures_too(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    member = member_id()
    first = purged_part2_check(post_form, part2_runtime, member)
    later = verification_id_of(post_form(part2_form(member)))
    assert run_check(part2_runtime, later) == "completed"
    listed = {e.verification_id for e in ledger.for_person(part2_runtime, later)}
    assert listed == {first, later}


def test_someone_elses_disclosures_are_never_listed(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    mine = purged_part2_check(post_form, part2_runtime, member_id())
    theirs = verification_id_of(post_form(part2_form(member_id())))
    assert run_check(part2_runtime, theirs) == "completed"
    assert {e.verification_id for e in ledger.for_person(part2_runtime, mine)} == {mine}


def test_the_ledger_and_the_consent_end_with_the_ledgers_retention(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    vid = purged_part2_check(post_form, part2_runtime, member_id())
    age(part2_runtime, vid, part2_runtime.settings.part2_ledger_retention_days)  # and then some
    assert ledger.expire(part2_runtime, now=utcnow()) >= 1
    assert ledger.for_person(part2_runtime, vid) == []
    with part2_runtime.db.session() as session:
        assert session.get_one(Verification, vid).part2_consent_enc is None


def test_a_ledger_still_within_its_retention_is_kept(
    post_form: Callable[..., Any], part2_runtime: Runtime
) -> None:
    vid = purged_part2_check(post_form, part2_runtime, member_id())
    settings = part2_runtime.settings  # already aged past the visitor retention: a day left
    age(part2_runtime, vid, settings.part2_ledger_retention_days - settings.retention_days - 2)
    ledger.expire(part2_runtime, now=utcnow())
    assert len(ledger.for_person(part2_runtime, vid)) == 1

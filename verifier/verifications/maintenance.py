"""The scheduled jobs: nothing stays queued, running or waiting forever; answers stay fresh;
PHI does not outlive its use.

Run by the one ``rq cron`` process (workers/cron.py) and by ``flask jobs run NAME``. Every
job is idempotent and safe to run twice at once (rq cron has no leader lock): rows are
selected, then changed with conditional updates keyed on ``run_seq``/status, and only
the rows this run changed are enqueued. Job ids are deterministic, so a second enqueue
of the same run is refused by RQ. Every job takes ``now`` (UTC), so tests and operators
can run it "as of" a time without touching the clock.

Where work goes: rows from visitors and staff get one job each on the visitor queue (RQ's
retry is their fast path); batch rows and re-checks go in batch jobs on the batch queue,
checked side by side in threads (workers/jobs.py), and the row records that job's id.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, null, or_, select, update

from verifier import audit
from verifier.coverage.stored import stored_summary
from verifier.part2.schedule import may_recheck as part2_may_recheck
from verifier.runtime import Runtime
from verifier.store.models import Attempt, Authorization, Note, PhoneVob, Verification
from verifier.verifications import changes, leases, lifecycle
from verifier.verifications.lifecycle import utcnow
from verifier.verifications.queue import (
    BATCH,
    VISITOR,
    chunk_jobs,
    enqueue_many,
    enqueue_verification,
    job_id,
    job_states,
)
from verifier.webhooks import events as webhook_events

log = logging.getLogger(__name__)

REFRESH_GRACE = dt.timedelta(seconds=60)  # RQ's own scheduler normally gets there first
LIVE_JOB_STATES = ("queued", "scheduled", "deferred")
PURGE_ACTOR = "system:purge_expired"


@dataclass(frozen=True)
class Due:
    """A row to run again, as selected: the update only applies if it is still so."""

    id: str
    run_seq: int
    status: str
    source: str
    job_id: str | None

    @property
    def batched(self) -> bool:
        return self.source == "batch" or self.job_id is not None


def _due(rows: Sequence[tuple[str, int, str, str, str | None]]) -> list[Due]:
    return [Due(*row) for row in rows]


_DUE_COLUMNS = (
    Verification.id,
    Verification.run_seq,
    Verification.status,
    Verification.source,
    Verification.job_id,
)


def requeue(
    runtime: Runtime,
    rows: Sequence[Due],
    now: dt.datetime,
    *,
    batched: bool | None = None,
    recheck: bool = False,
    taken_over: bool = False,
) -> int:
    """Give each row a new run (queued, run_seq + 1) and enqueue it; the count enqueued.

    ``batched`` forces the batch queue (re-checks); otherwise each row goes where it came
    from. A row another process changed since it was selected is skipped.
    """
    singles = [r for r in rows if not (r.batched if batched is None else batched)]
    many = [r for r in rows if (r.batched if batched is None else batched)]
    taken_singles = _bump(runtime, singles, now, None, recheck, taken_over)
    taken_chunks: list[tuple[str, list[str]]] = []
    size = runtime.settings.batch_chunk
    for jid, part in chunk_jobs(many, size, lambda r: (r.id, r.run_seq + 1)):
        bumped = _bump(runtime, part, now, jid, recheck, taken_over)
        if bumped:
            taken_chunks.append((jid, [vid for vid, _ in bumped]))
    for vid, seq in taken_singles:
        enqueue_verification(runtime, vid, seq, VISITOR)
    for jid, ids in taken_chunks:
        enqueue_many(runtime, jid, ids, BATCH)
    return len(taken_singles) + sum(len(ids) for _, ids in taken_chunks)


def _bump(
    runtime: Runtime,
    rows: Sequence[Due],
    now: dt.datetime,
    jid: str | None,
    recheck: bool,
    taken_over: bool = False,
) -> list[tuple[str, int]]:
    """Start each row's next run (``lifecycle.start_new_run``); the (id, run) pairs won.

    ``taken_over``: a running row's dead holder left its attempt open; it is closed as
    ``interrupted`` in the same transaction.
    """
    taken: list[tuple[str, int]] = []
    if not rows:
        return taken
    with runtime.db.session() as session:
        for row in rows:
            seen = lifecycle.RunStart(row.id, row.run_seq, row.status)
            if lifecycle.start_new_run(session, seen, now, job_id=jid, recheck=recheck):
                taken.append((row.id, row.run_seq + 1))
                if taken_over and row.status == lifecycle.RUNNING:
                    leases.close_interrupted(session, row.id, 1 << 30, now)
    return taken


# --- reconcile -------------------------------------------------------------------------


def reconcile(runtime: Runtime, *, now: dt.datetime | None = None) -> int:
    """Rows whose work was lost get a fresh run: nothing stuck past a lease + a cron period.

    ``running`` past its lease and its holder gone: the worker died (SIGKILL, OOM, machine
    lost) or its horse did (``verifications.leases``). ``queued`` and untouched for a
    lease: re-enqueued unless RQ still holds its job waiting in a queue (a long batch
    backlog is not lost work). A running batch job keeps its queued rows fresh (a
    heartbeat), so a stale row in a started job means that job is dead. Expiry is judged
    by the database's clock (a skewed maintenance host changes nothing), unless an
    operator or a test names ``now`` ("as of").
    """
    with runtime.db.session() as session:
        clock = now if now is not None else leases.database_now(session)
        stale = clock - dt.timedelta(seconds=runtime.settings.lease_seconds)
        found = _due(
            session.execute(
                select(*_DUE_COLUMNS).where(
                    or_(
                        and_(
                            Verification.status == lifecycle.RUNNING,
                            Verification.lease_expires_at < clock,
                        ),
                        and_(
                            Verification.status == lifecycle.QUEUED,
                            Verification.updated_at < stale,
                        ),
                    )
                )
            ).all()
        )
        running = [r.id for r in found if r.status == lifecycle.RUNNING]
        holders: dict[str, str] = {}
        if running:
            held_by = select(Verification.id, Verification.lease_holder).where(
                Verification.id.in_(running), Verification.lease_holder.is_not(None)
            )
            holders = {vid: holder for vid, holder in session.execute(held_by) if holder}
    if holders:
        alive = leases.live_holders(runtime.redis, holders.values())
        held = {vid for vid, holder in holders.items() if holder in alive}
        if held:
            log.info("reconcile: %d expired lease(s) still held by live workers", len(held))
        found = [r for r in found if r.id not in held]
    queued = [r for r in found if r.status == lifecycle.QUEUED]
    if queued:
        jobs = {r.id: r.job_id or job_id(r.id, r.run_seq) for r in queued}
        states = job_states(runtime, sorted(set(jobs.values())))
        waiting = {vid for vid, jid in jobs.items() if states.get(jid) in LIVE_JOB_STATES}
        found = [r for r in found if r.id not in waiting]
    count = requeue(runtime, found, clock, taken_over=True)
    if count:
        log.info("reconcile: re-enqueued %d verification(s)", count)
    return count


# --- refresh_due -----------------------------------------------------------------------


def refresh_due(runtime: Runtime, *, now: dt.datetime | None = None) -> int:
    """retry_wait rows whose next attempt is due get a run (the DB owns the schedule).

    Rows with their own RQ job get a grace minute for RQ's scheduler (the fast path);
    batch rows have no RQ retry and are enqueued as soon as they are due.
    """
    now = now or utcnow()
    with runtime.db.session() as session:
        found = _due(
            session.execute(
                select(*_DUE_COLUMNS).where(
                    Verification.status == lifecycle.RETRY_WAIT,
                    or_(
                        Verification.next_attempt_at.is_(None),
                        and_(
                            Verification.next_attempt_at <= now,
                            or_(Verification.source == "batch", Verification.job_id.is_not(None)),
                        ),
                        Verification.next_attempt_at < now - REFRESH_GRACE,
                    ),
                )
            ).all()
        )
    count = requeue(runtime, found, now)
    if count:
        log.info("refresh_due: enqueued %d verification(s)", count)
    return count


# --- reverify_upcoming -----------------------------------------------------------------


def reverify_upcoming(runtime: Runtime, *, now: dt.datetime | None = None) -> int:
    """Check again completed answers for admissions in the next N days older than M hours.

    The re-check runs in the background (batch queue); ``compare_recheck`` then flags a
    changed answer for staff. Re-checks that finished but were not compared (a worker
    died in between) are compared here first.
    """
    now = now or utcnow()
    settings = runtime.settings
    today = now.date()
    older_than = now - dt.timedelta(hours=settings.reverify_after_hours)
    compare_pending(runtime)
    with runtime.db.session() as session:
        found = _due(
            session.execute(
                select(*_DUE_COLUMNS).where(
                    Verification.status == lifecycle.COMPLETED,
                    Verification.service_date >= today,
                    Verification.service_date <= today + dt.timedelta(days=settings.reverify_days),
                    Verification.completed_at < older_than,
                    Verification.purged_at.is_(None),
                    or_(
                        Verification.rechecked_at.is_(None), Verification.rechecked_at < older_than
                    ),
                    part2_may_recheck(now),  # 42 CFR Part 2: not after revocation or expiry
                )
            ).all()
        )
    count = requeue(runtime, found, now, batched=True, recheck=True)
    if count:
        log.info("reverify_upcoming: re-checking %d verification(s)", count)
    return count


def compare_recheck(runtime: Runtime, verification_id: str) -> bool:
    """After a re-check ends: flag a changed answer for staff (needs_review, ``changed``).

    The previous summary stays in ``previous_summary`` and the diff in ``changes``; an
    unchanged answer records ``[]``. True when the answer changed.
    """
    with runtime.db.session() as session:
        row = session.execute(
            select(Verification.status, Verification.summary, Verification.previous_summary).where(
                Verification.id == verification_id,
                Verification.previous_summary.is_not(None),
                Verification.changes.is_(None),
                Verification.status.in_(lifecycle.FINAL),
            )
        ).one_or_none()
        if row is None:
            return False
        values = changes.recheck_values(
            stored_summary(row.previous_summary), stored_summary(row.summary)
        )
        found = values["changes"]
        written = session.execute(
            update(Verification)
            .where(Verification.id == verification_id, Verification.changes.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        # Webhooks (issue 20): verification.changed / needs_review, in this transaction.
        hooked = webhook_events.rechecked(session, runtime, verification_id, values, row, written)
    webhook_events.kick(runtime, hooked)
    if found:
        log.info("verification %s: re-check changed %d fact(s)", verification_id, len(found))
    return bool(found)


def compare_pending(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        ids = (
            session.execute(
                select(Verification.id).where(
                    Verification.previous_summary.is_not(None),
                    Verification.changes.is_(None),
                    Verification.status.in_(lifecycle.FINAL),
                )
            )
            .scalars()
            .all()
        )
    return sum(compare_recheck(runtime, vid) for vid in ids)


# --- purge_expired ---------------------------------------------------------------------


PURGED_MEMBER = ""  # member_enc is NOT NULL: overwritten, nothing left to unseal


def purge_expired(runtime: Runtime, *, now: dt.datetime | None = None) -> int:
    """Erase the PHI of visitors' verifications older than the retention period.

    Sealed columns are nulled (member_enc overwritten), summaries and blind indexes
    dropped, raw payer exchanges and notes erased; ids, states, reasons and timestamps
    stay, and each purge leaves an audit row. Only finished visitor rows: a staff or batch
    verification belongs to an admission, kept under the facility's records policy. A
    visitor staff marked as having become a patient is an admission too: kept, unless
    VERIFIER_PATIENT_RETENTION_DAYS (counted from the mark) is set and has passed.

    A 42 CFR Part 2 row keeps its sealed consent and its disclosure ledger (with the
    ledger's own blind indexes) past the purge, until VERIFIER_PART2_LEDGER_RETENTION_DAYS:
    the patient's list of disclosures must outlive the visitor's 90 days (``part2.ledger``).
    """
    from verifier.part2 import ledger

    now = now or utcnow()
    ledger.expire(runtime, now=now)
    settings = runtime.settings
    cutoff = now - dt.timedelta(days=settings.retention_days)
    expired: ColumnElement[bool] = Verification.became_patient_at.is_(None)
    if settings.patient_retention_days > 0:
        patient_cutoff = now - dt.timedelta(days=settings.patient_retention_days)
        expired = or_(expired, Verification.became_patient_at < patient_cutoff)
    with runtime.db.session() as session:
        ids = (
            session.execute(
                select(Verification.id).where(
                    Verification.source == "visitor",
                    Verification.created_at < cutoff,
                    Verification.purged_at.is_(None),
                    Verification.status.in_(lifecycle.FINAL),
                    expired,
                )
            )
            .scalars()
            .all()
        )
    purged = 0
    for vid in ids:
        if purge_one(runtime, vid, now, expired):
            purged += 1
            audit.record(
                runtime.db,
                runtime.audit_keys,
                audit.Entry(
                    actor=PURGE_ACTOR, action="purge", object_type="verification", object_id=vid
                ),
            )
    if purged:
        log.info("purge_expired: erased PHI of %d verification(s)", purged)
    return purged


def purge_one(
    runtime: Runtime,
    verification_id: str,
    now: dt.datetime,
    still: ColumnElement[bool],
) -> bool:
    """Erase one row's PHI; ``still``: a condition re-checked in the update (a member
    marked as a patient since the row was selected is not purged)."""
    with runtime.db.session() as session:
        result = session.execute(
            update(Verification)
            .where(
                Verification.id == verification_id,
                Verification.purged_at.is_(None),
                still,
            )
            .values(
                member_enc=PURGED_MEMBER,
                contact_enc=None,
                result_enc=None,
                token_hash=None,
                summary=null(),
                visitor_summary=null(),
                previous_summary=null(),
                changes=null(),
                index_member_id=None,
                index_last_name=None,
                index_first_name=None,
                index_birth_date=None,
                purged_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        session.execute(
            update(Attempt)
            .where(Attempt.verification_id == verification_id)
            .values(request_enc=None, response_enc=None, summary=null())
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Note)
            .where(Note.verification_id == verification_id)
            .values(text_enc="")
            .execution_options(synchronize_session=False)
        )
        # Issue 16: phone VOBs and authorizations carry sealed call and case details.
        for table in (PhoneVob, Authorization):
            session.execute(delete(table).where(table.verification_id == verification_id))
    return True


# --- the registry the cron process and ``flask jobs run`` share --------------------------

def dispatch_webhooks(runtime: Runtime, now: dt.datetime | None = None) -> int:
    """Webhooks recorded while Redis was down, retries whose job was lost, batches unpolled."""
    from verifier.webhooks.dispatch import dispatch

    return dispatch(runtime)


def report_expiring_authorizations(runtime: Runtime, now: dt.datetime | None = None) -> int:
    """``authorization.expiring`` for approved authorizations ending within the alert window."""
    from verifier.staff.authorizations import report_expiring

    return report_expiring(runtime, (now or utcnow()).date())


Job = Callable[..., int]
JOBS: dict[str, Job] = {
    "refresh_due": refresh_due,
    "reconcile": reconcile,
    "reverify_upcoming": reverify_upcoming,
    "purge_expired": purge_expired,
    "dispatch_webhooks": dispatch_webhooks,
    "report_expiring_authorizations": report_expiring_authorizations,
}

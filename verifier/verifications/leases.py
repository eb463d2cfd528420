"""Leases owned, not timed only: who holds a running row, and whether they are still there.

A running row's lease is taken over (``reconcile``) only when both are true:
- it expired by the DATABASE's clock (a maintenance host whose clock runs ahead must not
  reap live checks and cause a second payer call for each), and
- its holder is gone: the RQ worker that claimed it no longer heartbeats, no longer runs
  that job (its horse died and the worker cleaned the execution up), or it ran on this
  host and its process is gone (a SIGKILLed worker's key outlives it by its TTL).
A row claimed outside RQ (``flask jobs run``, tests) has no holder: its lease alone rules.
The dead horse's open attempt is closed as ``interrupted`` when its run is taken over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from collections.abc import Iterable

from redis import Redis
from rq.executions import WORKER_EXECUTIONS_KEY_TEMPLATE
from rq.worker import Worker
from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from verifier.store.models import Attempt

INTERRUPTED = "interrupted"


def holder() -> str | None:
    """This process's lease holder id: "<rq worker>/<rq job>" inside a work-horse.

    RQ puts both in the horse's environment when it forks (rq.worker_classes); a batch
    job's threads share its holder.
    """
    worker, job = os.environ.get("RQ_WORKER_ID"), os.environ.get("RQ_JOB_ID")
    return f"{worker}/{job}" if worker and job else None


def database_now(session: Session) -> dt.datetime:
    """The database server's clock, in UTC (SQLite: the clock of the host running it)."""
    value = session.execute(select(func.current_timestamp())).scalar_one()
    if isinstance(value, str):  # some drivers hand SQLite's text back unparsed
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def live_holders(redis: Redis, holders: Iterable[str]) -> set[str]:
    """The holders whose RQ worker still heartbeats and still runs that job."""
    wanted = sorted(set(holders))
    if not wanted:
        return set()
    with redis.pipeline(transaction=False) as pipe:
        for one in wanted:
            worker, _, _job = one.partition("/")
            pipe.hmget(Worker.redis_worker_namespace_prefix + worker, "hostname", "pid")
            pipe.smembers(WORKER_EXECUTIONS_KEY_TEMPLATE.format(worker))
        answers = pipe.execute()
    here = socket.gethostname()
    alive: set[str] = set()
    for index, one in enumerate(wanted):
        _worker, _, job = one.partition("/")
        (hostname, pid), executions = answers[2 * index], answers[2 * index + 1]
        running = {member.decode().rsplit(":", 1)[0] for member in executions}
        if hostname is None or job not in running:
            continue
        if hostname.decode() == here and pid and not _process_exists(int(pid)):
            continue
        alive.add(one)
    return alive


def _process_exists(pid: int) -> bool:
    with contextlib.suppress(PermissionError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
    return True


def close_interrupted(
    connection: Connection | Session, verification_id: str, before: int, now: dt.datetime
) -> None:
    """Close the attempts of this verification left open by a holder that died."""
    connection.execute(
        update(Attempt)
        .where(
            Attempt.verification_id == verification_id,
            Attempt.number < before,
            Attempt.finished_at.is_(None),
        )
        .values(finished_at=now, outcome=INTERRUPTED, reason="internal_error")
        .execution_options(synchronize_session=False)
    )

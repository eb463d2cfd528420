"""Prometheus metrics for ``GET /metrics``, computed at scrape time from shared state.

gunicorn runs several processes and RQ forks a work-horse per job, so counters kept in
any one process would be partial. Every figure here is read when Prometheus scrapes,
from the database and Redis that all processes share; the collector keeps no state and
nothing runs at import. The registry is built per scrape (not prometheus_client's global
default registry), so only what this module yields is exposed.

Cost per scrape, whatever the table sizes: two SELECTs that an index bounds (rows still
in flight, via ``status``; rows submitted in the last hour, via ``created_at``), and two
Redis round trips (pipelined). A component that does not answer is reported as
``verifier_up{component=...} 0`` and its figures are left out; the scrape still answers.

No PHI: labels are payer ids, queue kinds, and status, source and reason codes, each
checked against a short code pattern before it is exposed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import ipaddress
import logging
import platform
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, case, func, select, text

from verifier.runtime import Runtime
from verifier.store.models import Attempt, Verification
from verifier.verifications import lifecycle
from verifier.verifications.matching import STEPS
from verifier.verifications.queue import KINDS, queue_name

log = logging.getLogger(__name__)

ACTIVE = (lifecycle.QUEUED, lifecycle.RUNNING, lifecycle.RETRY_WAIT)
SOURCES = ("visitor", "staff", "batch")
QUEUE_KINDS = KINDS  # workers/cron.py names its queue by the same rule
RECENT_SECONDS = 3600
# A ladder attempt with any other outcome is the one the payer matched (the check's answer).
UNMATCHED_OUTCOMES = frozenset({"rejected", "unavailable", "error", "running"})
STATEMENT_TIMEOUT_MS = 5000  # PostgreSQL: a slow query ends the scrape's database part
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def code_label(value: str | None) -> str:
    """A status, source or reason code as a label; anything else (never expected) is
    exposed as ``other`` so that no stored free text can reach the output."""
    if value is None:
        return ""
    return value if _CODE.fullmatch(value) else "other"


# --- access ------------------------------------------------------------------------------


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def authorized(
    expected: str | None, authorization: str | None, remote_addr: str | None = None
) -> bool:
    """A token configured: ``Bearer <token>``, compared in constant time. None
    configured: only a scraper on this machine (loopback) is answered, so a port opened
    by mistake does not publish the service's volume to the network."""
    if not expected:
        return is_loopback(remote_addr)
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


# --- what is read ------------------------------------------------------------------------


@dataclass
class DatabaseFigures:
    active: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, source)
    oldest_queued: dt.datetime | None = None
    oldest_retry_due: dt.datetime | None = None
    lease_expired: int = 0
    recent: dict[tuple[str, str, str], int] = field(default_factory=dict)
    matching: dict[tuple[str, str], int] = field(default_factory=dict)  # (step, outcome)


def read_database(runtime: Runtime, now: dt.datetime) -> DatabaseFigures:
    figures = DatabaseFigures()
    v = Verification
    lease_expired = case(
        (and_(v.status == lifecycle.RUNNING, v.lease_expires_at < now), 1), else_=0
    )
    active = (
        select(
            v.status,
            v.source,
            func.count(),
            func.min(case((v.status == lifecycle.QUEUED, v.updated_at))),
            func.min(v.next_attempt_at),
            func.sum(lease_expired),
        )
        .where(v.status.in_(ACTIVE))
        .group_by(v.status, v.source)
    )
    recent = (
        select(v.status, v.source, v.reason, func.count())
        .where(v.created_at >= now - dt.timedelta(seconds=RECENT_SECONDS))
        .group_by(v.status, v.source, v.reason)
    )
    a = Attempt
    matching = (  # issue 21: the member-matching ladder's attempts, by step and outcome
        select(a.correction, a.outcome, func.count())
        .where(
            a.correction.is_not(None),
            a.started_at >= now - dt.timedelta(seconds=RECENT_SECONDS),
        )
        .group_by(a.correction, a.outcome)
    )
    engine = runtime.db.engine
    with engine.connect() as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
        for status, source, count, queued_since, next_at, expired in connection.execute(active):
            key = (code_label(status), code_label(source))
            figures.active[key] = figures.active.get(key, 0) + int(count)
            figures.lease_expired += int(expired or 0)
            figures.oldest_queued = _earliest(figures.oldest_queued, _utc(queued_since))
            if status == lifecycle.RETRY_WAIT:
                figures.oldest_retry_due = _earliest(figures.oldest_retry_due, _utc(next_at))
        for status, source, reason, count in connection.execute(recent):
            rkey = (code_label(status), code_label(source), code_label(reason))
            figures.recent[rkey] = figures.recent.get(rkey, 0) + int(count)
        for step, outcome, count in connection.execute(matching):
            mkey = (code_label(step), code_label(outcome or "running"))
            figures.matching[mkey] = figures.matching.get(mkey, 0) + int(count)
    return figures


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _utc(value: Any) -> dt.datetime | None:
    """Aggregates may come back without the column's type (SQLite: text, naive)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass
class QueueFigures:
    waiting: int
    started: int
    failed: int
    scheduled: int
    workers: int


@dataclass
class PayerFigures:
    state: str  # closed | open | half_open
    slots_in_use: int | None
    slots_limit: int | None


@dataclass
class RedisFigures:
    queues: dict[str, QueueFigures] = field(default_factory=dict)
    payers: dict[str, PayerFigures] = field(default_factory=dict)


def read_redis(runtime: Runtime, now: float) -> RedisFigures:
    """Queue depths, RQ registries, live workers and payer limits: two pipelined round
    trips, read-only (RQ's ``count`` would run its registry cleanup; a scrape must not)."""
    from rq import Queue
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
    from rq.worker_registration import WORKERS_BY_QUEUE_KEY

    from verifier.payers.circuit import CircuitBreaker
    from verifier.payers.limits import ConcurrencySlots
    from verifier.payers.resilience import limits_key_prefix, payer_key_prefix

    redis = runtime.redis
    directory = _directory(runtime)
    payers = [] if directory is None else list(directory.entries.values())
    with redis.pipeline(transaction=False) as pipe:
        for kind in QUEUE_KINDS:
            queue = Queue(queue_name(runtime.settings.queue_prefix, kind), connection=redis)
            pipe.llen(queue.key)
            pipe.zcount(StartedJobRegistry(queue=queue).key, now, "+inf")
            pipe.zcount(FailedJobRegistry(queue=queue).key, now, "+inf")
            pipe.zcard(ScheduledJobRegistry(queue=queue).key)
            pipe.smembers(WORKERS_BY_QUEUE_KEY % queue.name)
        for entry in payers:
            # The breaker and slots verifier.payers.resilience.wrap gives this payer.
            key_prefix = payer_key_prefix(runtime.settings, entry.id)
            CircuitBreaker.for_payer(redis, key_prefix).queue_state(pipe)
            if entry.max_concurrency:
                limits = limits_key_prefix(runtime.settings, entry)  # a connection's, or its own
                slots = ConcurrencySlots.for_payer(redis, limits, entry.max_concurrency)
                slots.queue_in_use(pipe, now)
        answers = iter(pipe.execute())
    figures = RedisFigures()
    registered: dict[str, list[Any]] = {}
    for kind in QUEUE_KINDS:
        waiting, started, failed, scheduled, members = (next(answers) for _ in range(5))
        figures.queues[kind] = QueueFigures(
            int(waiting), int(started), int(failed), int(scheduled), workers=0
        )
        registered[kind] = sorted(members)
    for entry in payers:
        state = CircuitBreaker.state_from(answers)
        limit = entry.max_concurrency
        in_use = ConcurrencySlots.in_use_from(answers) if limit else None
        figures.payers[entry.id] = PayerFigures(state.value, in_use, limit)
    # A worker's key expires when it stops heartbeating; one killed outright stays in the
    # per-queue set until RQ cleans it up, so only workers whose key still exists count.
    with redis.pipeline(transaction=False) as pipe:
        for kind in QUEUE_KINDS:
            for key in registered[kind]:
                pipe.exists(key)
        alive = iter(pipe.execute())
    for kind in QUEUE_KINDS:
        figures.queues[kind].workers = sum(1 for _ in registered[kind] if next(alive))
    return figures


def _directory(runtime: Runtime) -> Any:
    try:
        return runtime.directory
    except Exception as exc:  # a broken directory stops checks, not the scrape
        log.warning("metrics: payer directory unreadable: %s", type(exc).__name__)
        return None


@functools.cache
def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("verifier")
    except metadata.PackageNotFoundError:
        pass
    import tomllib

    from config.settings import ROOT

    try:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


# --- the collector -----------------------------------------------------------------------


class VerifierCollector(Collector):
    """Yields every family from the shared state at each ``collect``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterable[Metric]:
        now = time.time()
        up = GaugeMetricFamily(
            "verifier_up",
            "1 when this component answered the scrape, else 0.",
            labels=["component"],
        )
        took = GaugeMetricFamily(
            "verifier_metrics_read_seconds",
            "Seconds this scrape spent reading each component.",
            labels=["component"],
        )
        info = InfoMetricFamily("verifier_build", "The running verifier's version.")
        info.add_metric([], {"version": version(), "python": platform.python_version()})
        yield info

        started = time.perf_counter()
        try:
            database = read_database(self.runtime, dt.datetime.fromtimestamp(now, dt.UTC))
        except Exception as exc:  # reported as up=0, never raised: the scrape still answers
            log.warning("metrics: database not read: %s", type(exc).__name__)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield from database_families(database, now)
        took.add_metric(["database"], time.perf_counter() - started)

        started = time.perf_counter()
        try:
            redis = read_redis(self.runtime, now)
        except Exception as exc:
            log.warning("metrics: redis not read: %s", type(exc).__name__)
            up.add_metric(["redis"], 0)
        else:
            up.add_metric(["redis"], 1)
            yield from redis_families(redis)
        took.add_metric(["redis"], time.perf_counter() - started)
        yield up
        yield took


def database_families(figures: DatabaseFigures, now: float) -> Iterator[Metric]:
    active = GaugeMetricFamily(
        "verifier_verifications_active",
        "Verifications still in flight (queued, running, retry_wait), by status and source.",
        labels=["status", "source"],
    )
    statuses = {status for status, _ in figures.active} | set(ACTIVE)
    sources = {source for _, source in figures.active} | set(SOURCES)
    for status in sorted(statuses):
        for source in sorted(sources):
            active.add_metric([status, source], figures.active.get((status, source), 0))
    yield active

    recent = GaugeMetricFamily(
        "verifier_verifications_submitted_last_hour",
        "Verifications submitted in the last hour, by their status now, source and reason.",
        labels=["status", "source", "reason"],
    )
    for (status, source, reason), count in sorted(figures.recent.items()):
        recent.add_metric([status, source, reason], count)
    yield recent

    matches = GaugeMetricFamily(
        "verifier_member_matches_last_hour",
        "Members the payer matched only after a correction, in the last hour, by ladder step.",
        labels=["step"],
    )
    tried = GaugeMetricFamily(
        "verifier_member_matching_attempts_last_hour",
        "Member-matching ladder attempts in the last hour, by step and attempt outcome.",
        labels=["step", "outcome"],
    )
    for step in STEPS:
        found = sum(
            count
            for (tried_step, outcome), count in figures.matching.items()
            if tried_step == step and outcome not in UNMATCHED_OUTCOMES
        )
        matches.add_metric([step], found)
    for (step, outcome), count in sorted(figures.matching.items()):
        tried.add_metric([step, outcome], count)
    yield matches
    yield tried

    yield GaugeMetricFamily(
        "verifier_queued_oldest_age_seconds",
        "Seconds since the longest-waiting queued verification was queued (0: none).",
        value=_age(figures.oldest_queued, now),
    )
    yield GaugeMetricFamily(
        "verifier_retry_oldest_overdue_seconds",
        "Seconds past its next_attempt_at of the most overdue retry_wait verification "
        "(0: none due; refresh_due runs every 30 s).",
        value=_age(figures.oldest_retry_due, now),
    )
    yield GaugeMetricFamily(
        "verifier_verifications_lease_expired",
        "Running verifications whose lease has passed (reconcile should re-enqueue them).",
        value=figures.lease_expired,
    )


def _age(since: dt.datetime | None, now: float) -> float:
    return 0.0 if since is None else max(0.0, now - since.timestamp())


def redis_families(figures: RedisFigures) -> Iterator[Metric]:
    per_queue = {
        "verifier_queue_jobs": "Jobs waiting in each RQ queue.",
        "verifier_queue_started_jobs": "Jobs running now (RQ started registry, live leases).",
        "verifier_queue_failed_jobs": "Jobs in the RQ failed registry (kept VERIFIER_FAILURE_TTL).",
        "verifier_queue_scheduled_jobs": "Jobs scheduled for later (RQ scheduled registry).",
        "verifier_queue_workers": "Live RQ workers listening on each queue.",
    }
    attributes = ("waiting", "started", "failed", "scheduled", "workers")
    for (name, documentation), attribute in zip(per_queue.items(), attributes, strict=True):
        family = GaugeMetricFamily(name, documentation, labels=["queue"])
        for kind, queue in figures.queues.items():
            family.add_metric([kind], getattr(queue, attribute))
        yield family

    circuit = GaugeMetricFamily(
        "verifier_payer_circuit_state",
        "Each payer's circuit breaker: 1 for its current state, 0 for the others.",
        labels=["payer", "state"],
    )
    in_use = GaugeMetricFamily(
        "verifier_payer_slots_in_use",
        "Calls in flight to each payer with a concurrency cap (live leases).",
        labels=["payer"],
    )
    limit = GaugeMetricFamily(
        "verifier_payer_slots_limit", "Each capped payer's max_concurrency.", labels=["payer"]
    )
    for payer_id, payer in sorted(figures.payers.items()):
        for state in ("closed", "open", "half_open"):
            circuit.add_metric([payer_id, state], 1 if payer.state == state else 0)
        if payer.slots_limit:
            in_use.add_metric([payer_id], payer.slots_in_use or 0)
            limit.add_metric([payer_id], payer.slots_limit)
    yield circuit
    yield in_use
    yield limit


def render(runtime: Runtime, accept: str | None) -> tuple[bytes, str]:
    """The exposition for this scrape in the format the scraper asked for."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(VerifierCollector(runtime))
    encode, content_type = choose_encoder(accept or "")
    return encode(registry), content_type

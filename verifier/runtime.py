"""The parts one process needs, built once from Settings: store, keys, queues, directory.

Flask keeps it in ``app.extensions["verifier"]``; workers and the CLI reach it through
the app too, so every entry point is wired the same way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from redis import Redis

from config.settings import Settings
from verifier.audit import AuditKeys
from verifier.coverage.facility import FacilityProfile
from verifier.payers.directory import PayerDirectory
from verifier.store.crypto import Keyring
from verifier.store.db import Database

if TYPE_CHECKING:
    from flask import Flask

    from verifier.payers.registry import AdapterRegistry


REDIS_CONNECTIONS = 100  # redis-py's default pool cap
REDIS_SPARE_CONNECTIONS = 16  # the job's heartbeat, RQ's own calls, the web's requests


def redis_connections(settings: Settings) -> int:
    """Connections one process may open to Redis: every check thread, and some to spare."""
    return max(REDIS_CONNECTIONS, settings.worker_threads + REDIS_SPARE_CONNECTIONS)


@dataclass
class Runtime:
    settings: Settings
    db: Database = field(default_factory=Database)

    def __post_init__(self) -> None:
        self.db.configure(self.settings.database_url)

    def __repr__(self) -> str:
        """Settings and database as their own masked reprs; the built parts not at all."""
        return f"Runtime(settings={self.settings!r}, db={self.db!r})"

    @cached_property
    def keyring(self) -> Keyring:
        if self.settings.data_key:
            return Keyring.parse(self.settings.data_key)
        if self.settings.is_production:  # Settings.validate refuses this too
            raise RuntimeError("VERIFIER_DATA_KEY is required in production")
        return Keyring.local(self.settings.data_key_file)

    @cached_property
    def audit_keys(self) -> AuditKeys:
        """The audit chain's HMAC keys: from the environment, or var/audit.key locally."""
        if self.settings.audit_key:
            return AuditKeys.parse(self.settings.audit_key)
        if self.settings.is_production:  # Settings.validate refuses this too
            raise RuntimeError("VERIFIER_AUDIT_KEY is required in production")
        return AuditKeys.local(self.settings.audit_key_file)

    @cached_property
    def redis(self) -> Redis:
        return Redis.from_url(
            self.settings.redis_url,
            socket_connect_timeout=5,
            socket_timeout=30,
            health_check_interval=30,
            # A batch job's threads each hold a connection while they talk to Redis (rate,
            # slots, breaker); redis-py's default cap of 100 made checks past it crash.
            max_connections=redis_connections(self.settings),
        )

    @cached_property
    def directory(self) -> PayerDirectory:
        return PayerDirectory.load(self.settings.payers_file)

    @cached_property
    def facility(self) -> FacilityProfile:
        with self.settings.facility_file.open("rb") as handle:
            return FacilityProfile.from_mapping(tomllib.load(handle))

    @cached_property
    def adapters(self) -> AdapterRegistry:
        from verifier.payers.registry import AdapterRegistry

        return AdapterRegistry(self)


def runtime_of(app: Flask) -> Runtime:
    runtime: Runtime = app.extensions["verifier"]
    return runtime

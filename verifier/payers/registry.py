"""Finds the adapter for a payer by the name the directory gives it.

Built-in adapters and third-party ones share one door: the ``verifier.payers``
entry-point group, so a center can add its own route without forking. A factory
receives an ``AdapterContext`` (the process's settings, Redis, keyring and directory:
the application passes its Runtime) and the payer's directory entry, and returns a
PayerAdapter.

Whatever the factory returns is wrapped by ``resilience.wrap``: timeouts, retries, rate
limit, concurrency cap and circuit breaker apply to plug-ins and the sandbox alike. One
adapter (one HTTP session, one token cache) is kept per payer and process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from verifier.payers.base import AdapterContext, PayerAdapter
from verifier.payers.directory import PayerEntry

AdapterFactory = Callable[[AdapterContext, PayerEntry], PayerAdapter]
ENTRY_POINT_GROUP = "verifier.payers"


class UnknownAdapter(LookupError):
    """The directory names an adapter that neither verifier nor a plug-in provides."""


def _sandbox(context: AdapterContext, entry: PayerEntry) -> PayerAdapter:
    from verifier.payers.sandbox import SandboxAdapter

    settings = context.settings
    return SandboxAdapter(
        slow_seconds=settings.sandbox_slow_seconds,
        timeout=entry.timeout or settings.payer_timeout,  # as resilience.Policy reads it
    )


def _x12_http(context: AdapterContext, entry: PayerEntry) -> PayerAdapter:
    from verifier.payers.x12_http import X12HttpAdapter

    return X12HttpAdapter(entry, context.settings, context.redis)


def _clearinghouse(context: AdapterContext, entry: PayerEntry) -> PayerAdapter:
    from verifier.payers.clearinghouse import ClearinghouseAdapter
    from verifier.payers.oauth import SharedTokens

    shared = SharedTokens(context.redis, context.keyring, f"{context.settings.queue_prefix}:oauth")
    return ClearinghouseAdapter(entry, context.settings, shared)


def _stedi(context: AdapterContext, entry: PayerEntry) -> PayerAdapter:
    from verifier.payers.clearinghouse import StediAdapter

    return StediAdapter(entry, context.settings, redis=context.redis)


def _optum(context: AdapterContext, entry: PayerEntry) -> PayerAdapter:
    from verifier.payers.clearinghouse import OptumAdapter
    from verifier.payers.oauth import SharedTokens

    shared = SharedTokens(context.redis, context.keyring, f"{context.settings.queue_prefix}:oauth")
    return OptumAdapter(entry, context.settings, shared, redis=context.redis)


def _fhir(context: AdapterContext, entry: PayerEntry) -> PayerAdapter:
    from verifier.payers.fhir import FhirAdapter

    return FhirAdapter(entry, context.settings)


BUILTIN: dict[str, AdapterFactory] = {
    "sandbox": _sandbox,
    "x12_http": _x12_http,
    "clearinghouse": _clearinghouse,
    "stedi": _stedi,
    "optum": _optum,
    "fhir": _fhir,
}


class AdapterRegistry:
    def __init__(
        self, context: AdapterContext, extra: dict[str, AdapterFactory] | None = None
    ) -> None:
        self.context = context
        self.factories: dict[str, AdapterFactory] = dict(BUILTIN)
        self.factories.update(extra or {})
        self._plugins_loaded = False
        self._adapters: dict[str, tuple[PayerEntry, PayerAdapter]] = {}
        self._pid = os.getpid()

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        for point in entry_points(group=ENTRY_POINT_GROUP):
            self.factories.setdefault(point.name, _lazy(point))
        self._plugins_loaded = True

    def names(self) -> list[str]:
        self._load_plugins()
        return sorted(self.factories)

    def for_payer(self, payer_id: str) -> PayerAdapter:
        """The payer's adapter behind the resilience layer, built once per process."""
        entry = self.context.directory.get(payer_id)
        if entry is None:
            raise UnknownAdapter(f"payer {payer_id!r} is not in the directory")
        if self._pid != os.getpid():  # forked: sockets and sessions are the parent's
            self._adapters.clear()
            self._pid = os.getpid()
        cached = self._adapters.get(payer_id)
        if cached is not None and cached[0] is entry:
            return cached[1]
        adapter = self.build(entry)
        self._adapters[payer_id] = (entry, adapter)
        return adapter

    def build(self, entry: PayerEntry) -> PayerAdapter:
        """A fresh, wrapped adapter for ``entry`` (no caching)."""
        from verifier.payers.resilience import wrap

        payer_id = entry.id
        if entry.adapter not in self.factories:
            self._load_plugins()
        factory = self.factories.get(entry.adapter)
        if factory is None:
            raise UnknownAdapter(f"payer {payer_id!r} names unknown adapter {entry.adapter!r}")
        return wrap(factory(self.context, entry), entry, self.context.settings, self.context.redis)


def _lazy(point: Any) -> AdapterFactory:
    def factory(context: AdapterContext, entry: PayerEntry) -> PayerAdapter:
        loaded: AdapterFactory = point.load()
        return loaded(context, entry)

    return factory

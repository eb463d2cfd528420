"""The registry finds built-in and plug-in adapters and wraps every one in the resilience layer.

The plug-in is a real installed distribution: a dist-info with an entry_points.txt on
sys.path, found by importlib.metadata the way pip-installed plug-ins are.
"""

from __future__ import annotations

import importlib
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redis import Redis

from tests.fakes.payer_kit import make_request, make_settings
from verifier.payers.directory import PayerDirectory
from verifier.payers.registry import BUILTIN, AdapterRegistry, UnknownAdapter
from verifier.payers.resilience import ResilientAdapter

PLUGIN = """
from verifier.payers.base import CheckOutcome, Exchange
from verifier.domain import EligibilityResult, MemberResult, Party, Benefit


class Adapter:
    name = "{name}"

    def check(self, request):
        member = MemberResult("2100C", member_id=request.subscriber.member_id,
                              benefits=(Benefit("1", "IND", ("30",)),))
        return CheckOutcome(EligibilityResult(Party("PLUGGED"), subscriber=member),
                            Exchange("plug-in request", "plug-in response"))


def make(runtime, entry):
    return Adapter()
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Install a distribution providing adapter ``<name>`` in a fresh sys.path entry."""
    name = f"vtplug{uuid.uuid4().hex[:8]}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text(PLUGIN.format(name=name))
    info = tmp_path / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[verifier.payers]\n{name} = {name}:make\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return name


def _runtime(redis: Redis, payers: dict[str, Any]) -> Any:
    directory = PayerDirectory.from_mapping({"payers": payers})
    return SimpleNamespace(settings=make_settings(), directory=directory, redis=redis)


def test_the_built_in_adapters_are_registered() -> None:
    assert {"sandbox", "x12_http", "clearinghouse", "fhir"} <= set(BUILTIN)


def test_a_plug_in_from_an_installed_distribution_is_found(plugin: str, redis: Redis) -> None:
    runtime = _runtime(redis, {"PLUG": {"name": "Plugged Plan", "adapter": plugin}})
    registry = AdapterRegistry(runtime)
    assert plugin in registry.names()
    adapter = registry.for_payer("PLUG")
    outcome = adapter.check(make_request(payer_id="PLUG"))
    assert adapter.name == plugin
    assert outcome.result.payer.name == "PLUGGED"


def test_every_adapter_comes_wrapped_in_the_resilience_layer(plugin: str, redis: Redis) -> None:
    runtime = _runtime(
        redis,
        {
            "PLUG": {"name": "Plugged Plan", "adapter": plugin},
            "SANDBOX": {"name": "Sandbox", "adapter": "sandbox"},
        },
    )
    runtime.settings = make_settings(sandbox_slow_seconds=0.1)
    registry = AdapterRegistry(runtime)
    for payer_id in ("PLUG", "SANDBOX"):
        assert isinstance(registry.for_payer(payer_id), ResilientAdapter)


def test_the_adapter_is_built_once_per_payer(plugin: str, redis: Redis) -> None:
    runtime = _runtime(redis, {"PLUG": {"name": "Plugged Plan", "adapter": plugin}})
    registry = AdapterRegistry(runtime)
    assert registry.for_payer("PLUG") is registry.for_payer("PLUG")


def test_an_unknown_adapter_is_named(redis: Redis) -> None:
    runtime = _runtime(redis, {"NOPE": {"name": "Nope", "adapter": "no_such_adapter"}})
    with pytest.raises(UnknownAdapter, match="no_such_adapter"):
        AdapterRegistry(runtime).for_payer("NOPE")

"""The reader's collector pause is shared by concurrent reads and restores what it found."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from verifier.x12 import reader
from verifier.x12.errors import X12ParseError
from verifier.x12.reader import read_271_all

from .conftest import fixture_bytes

DATA = fixture_bytes("lfh-subscriber-health-benefit-check.271.x12")


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    assert reader._gc_readers == 0
    if not was:
        gc.disable()


def test_a_read_pauses_the_collector_and_enables_it_again() -> None:
    seen: list[bool] = []
    original = reader._TransactionReader.read

    def spy(self: reader._TransactionReader) -> list[reader.EligibilityResult]:
        seen.append(gc.isenabled())
        return original(self)

    reader._TransactionReader.read = spy  # type: ignore[method-assign]
    try:
        read_271_all(DATA)
    finally:
        reader._TransactionReader.read = original  # type: ignore[method-assign]
    assert seen == [False]
    assert gc.isenabled()


def test_a_read_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    read_271_all(DATA)
    assert not gc.isenabled()


def test_a_failing_read_still_ends_its_pause() -> None:
    with pytest.raises(X12ParseError):
        read_271_all(b"not x12")
    assert gc.isenabled()


def test_overlapping_reads_share_one_pause() -> None:
    """Read A starts, read B starts, A ends: B must still run with the collector paused."""
    inside = {"reader-a": threading.Event(), "reader-b": threading.Event()}
    release = {"reader-a": threading.Event(), "reader-b": threading.Event()}
    original = reader._TransactionReader.read
    during_b_after_a: list[bool] = []

    def held(self: reader._TransactionReader) -> list[reader.EligibilityResult]:
        name = threading.current_thread().name
        inside[name].set()
        release[name].wait(10)
        if name == "reader-b":
            during_b_after_a.append(gc.isenabled())
        return original(self)

    reader._TransactionReader.read = held  # type: ignore[method-assign]
    try:
        a = threading.Thread(target=read_271_all, args=(DATA,), name="reader-a")
        b = threading.Thread(target=read_271_all, args=(DATA,), name="reader-b")
        a.start()
        assert inside["reader-a"].wait(10)
        b.start()
        assert inside["reader-b"].wait(10)
        release["reader-a"].set()
        a.join(10)
        release["reader-b"].set()
        b.join(10)
    finally:
        reader._TransactionReader.read = original  # type: ignore[method-assign]
    assert during_b_after_a == [False]
    assert gc.isenabled()


def test_many_threads_leave_the_collector_enabled() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: read_271_all(DATA), range(400)))
    assert len(results) == 400 and all(r == results[0] for r in results)
    assert gc.isenabled()

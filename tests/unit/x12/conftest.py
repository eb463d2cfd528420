"""Fixtures for the X12 engine tests: the corpus copies in tests/fixtures/x12."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from verifier.domain import EligibilityResult
from verifier.x12.reader import read_271

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
RESPONSES = sorted(
    p.name for p in FIXTURES.glob("*.x12") if ".270." not in p.name and "x270" not in p.name
)
INQUIRIES = sorted(p.name for p in FIXTURES.glob("*.x12") if p.name not in RESPONSES)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def corpus() -> Callable[[str], bytes]:
    """The bytes of one corpus file, exactly as published."""
    return fixture_bytes


@pytest.fixture
def read() -> Callable[[str], EligibilityResult]:
    """The reader's result for one corpus 271."""
    return lambda name: read_271(fixture_bytes(name))

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from verifier.coverage import FacilityProfile, default_profile, summarize
from verifier.coverage.model import CoverageSummary
from verifier.domain import Condition, EligibilityResult, LevelOfCare


@pytest.fixture
def facility() -> FacilityProfile:
    return default_profile()


@pytest.fixture
def summarize_iop_mh(facility: FacilityProfile) -> Callable[..., CoverageSummary]:
    """summarize() for IOP mental health at the default facility, in network unless told."""

    def run(result: EligibilityResult, **overrides: Any) -> CoverageSummary:
        options: dict[str, Any] = {
            "level": LevelOfCare.IOP,
            "condition": Condition.MENTAL_HEALTH,
            "facility": facility,
            "in_network": True,
        }
        options.update(overrides)
        return summarize(result, **options)

    return run

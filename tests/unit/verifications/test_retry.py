"""The retry policy's pure parts: the backoff schedule between attempts."""

from __future__ import annotations

import pytest

from verifier.verifications.retry import backoff

DEFAULTS = (90, 300, 900, 1800, 3600, 7200)


def test_no_intervals_means_no_retry() -> None:
    assert backoff((), 1, 0.25) is None


@pytest.mark.parametrize("rand", [0.0, 0.5, 0.999])
def test_the_first_wait_is_at_least_90_seconds_and_grows(rand: float) -> None:
    waits = [backoff(DEFAULTS, n, 0.25, rand=lambda: rand) for n in range(1, 9)]
    assert waits[0] is not None and waits[0] >= 90
    for base, wait in zip((*DEFAULTS, 7200, 7200), waits, strict=True):
        assert wait is not None and base <= wait <= base * 1.25 + 1
    assert waits[-1] == waits[-2]  # the last interval repeats until the window ends


def test_jitter_spreads_checks_that_failed_together() -> None:
    import random

    rng = random.Random(7)
    waits = {backoff(DEFAULTS, 1, 0.25, rand=rng.random) for _ in range(50)}
    assert len(waits) > 5


def test_retry_after_is_honored() -> None:
    assert backoff(DEFAULTS, 1, 0.0, retry_after=600.2) == 601

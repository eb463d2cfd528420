"""The widget's origins and the rate limits are read and checked at start."""

from __future__ import annotations

import pytest

from config.settings import RateLimit, Settings, SettingsError


def test_widget_origins_are_read_as_a_list() -> None:
    settings = Settings.from_env(
        {"VERIFIER_WIDGET_ORIGINS": "https://www.example.org, https://*.example.net:8443"}
    )
    assert settings.widget_origins == ("https://www.example.org", "https://*.example.net:8443")


@pytest.mark.parametrize(
    "value", ["*", "'self'", "www.example.org", "https://example.org/page", "ftp://example.org",
              "https://user@example.org", "https://exa mple.org"],
)
def test_a_widget_origin_that_is_not_an_origin_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="VERIFIER_WIDGET_ORIGINS"):
        Settings.from_env({"VERIFIER_WIDGET_ORIGINS": value})


def test_rate_limits_read_count_per_seconds_or_off() -> None:
    settings = Settings.from_env(
        {"VERIFIER_RATE_LIMIT_SUBMIT": "5/300", "VERIFIER_RATE_LIMIT_STATUS": "off"}
    )
    assert settings.rate_limit_submit == RateLimit(5, 300)
    assert settings.rate_limit_status is None


@pytest.mark.parametrize("value", ["5", "0/60", "five/60", "5/0"])
def test_a_malformed_rate_limit_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="VERIFIER_RATE_LIMIT_SUBMIT"):
        Settings.from_env({"VERIFIER_RATE_LIMIT_SUBMIT": value})


def test_rate_limits_are_on_by_default_outside_tests() -> None:
    assert Settings.from_env({}).rate_limit_submit == RateLimit(10, 600)
    assert Settings.from_env({"VERIFIER_ENV": "test"}).rate_limit_submit is None

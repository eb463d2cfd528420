"""Settings: typed, validated when read, and failing with the variable's name."""

from __future__ import annotations

import pytest

from config.settings import Settings, SettingsError


def test_defaults_use_embedded_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("var/verifier.db")
    assert settings.environment == "development"


def test_environment_overrides_are_read() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://db/x",
            "REDIS_URL": "redis://r:1/2",
            "VISITOR_RESULT": "status",
        }
    )
    assert settings.database_url == "postgresql://db/x"
    assert settings.redis_url == "redis://r:1/2"
    assert settings.visitor_result == "status"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"VERIFIER_JOB_TIMEOUT": "soon"}, "VERIFIER_JOB_TIMEOUT"),
        ({"VERIFIER_RETRY_INTERVALS": "1,x"}, "VERIFIER_RETRY_INTERVALS"),
        ({"VISITOR_RESULT": "everything"}, "VISITOR_RESULT"),
        ({"VERIFIER_ENV": "staging"}, "VERIFIER_ENV"),
        ({"VERIFIER_LEASE_SECONDS": "10", "VERIFIER_JOB_TIMEOUT": "60"}, "VERIFIER_LEASE_SECONDS"),
        ({"VERIFIER_PAYER_TIMEOUT": "200"}, "VERIFIER_PAYER_TIMEOUT"),
    ],
)
def test_a_bad_value_fails_fast_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_production_refuses_to_start_without_a_data_key() -> None:
    with pytest.raises(SettingsError, match="VERIFIER_DATA_KEY"):
        Settings.from_env(
            {"VERIFIER_ENV": "production", "SECRET_KEY": "s", "DATABASE_URL": "postgresql://x/y"}
        )


def test_production_refuses_sqlite() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings.from_env(
            {"VERIFIER_ENV": "production", "SECRET_KEY": "s", "VERIFIER_DATA_KEY": "k:a"}
        )


def test_retry_intervals_set_the_number_of_attempts() -> None:
    settings = Settings.from_env({"VERIFIER_RETRY_INTERVALS": "5,10,20"})
    assert settings.retry_intervals == (5, 10, 20)
    assert settings.max_attempts == 4

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


PRODUCTION = {
    "VERIFIER_ENV": "production",
    "SECRET_KEY": "s",
    "VERIFIER_DATA_KEY": "k:a",
    "VERIFIER_AUDIT_KEY": "a:b",
    "DATABASE_URL": "postgresql://x/y",
    "REDIS_URL": "rediss://verifier:pw@redis.internal:6380/0",
}


def test_a_complete_production_environment_is_accepted() -> None:
    assert Settings.from_env(PRODUCTION).is_production


def test_production_refuses_to_start_without_a_data_key() -> None:
    with pytest.raises(SettingsError, match="VERIFIER_DATA_KEY"):
        Settings.from_env(PRODUCTION | {"VERIFIER_DATA_KEY": ""})


def test_production_refuses_sqlite() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings.from_env(PRODUCTION | {"DATABASE_URL": ""})


def test_production_refuses_to_start_without_an_audit_key() -> None:
    with pytest.raises(SettingsError, match="VERIFIER_AUDIT_KEY"):
        Settings.from_env(PRODUCTION | {"VERIFIER_AUDIT_KEY": ""})


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/0", "redis://redis.internal:6379/0", "rediss://redis.internal/0"],
)
def test_production_refuses_a_redis_without_a_password(url: str) -> None:
    with pytest.raises(SettingsError, match="REDIS_URL must carry a password"):
        Settings.from_env(PRODUCTION | {"REDIS_URL": url})


def test_production_refuses_plaintext_redis_off_this_machine() -> None:
    with pytest.raises(SettingsError, match="rediss://"):
        Settings.from_env(PRODUCTION | {"REDIS_URL": "redis://:pw@redis.internal:6379/0"})


@pytest.mark.parametrize(
    "url", ["redis://:pw@127.0.0.1:6379/0", "redis://verifier:pw@localhost/0", "rediss://:pw@r/0"]
)
def test_production_accepts_redis_with_a_password_on_loopback_or_tls(url: str) -> None:
    assert Settings.from_env(PRODUCTION | {"REDIS_URL": url}).redis_url == url


def test_the_audit_key_is_not_in_the_repr() -> None:
    shown = repr(Settings.from_env(PRODUCTION))
    assert PRODUCTION["VERIFIER_AUDIT_KEY"] not in shown and "audit_key='***'" in shown


def test_retry_intervals_set_the_number_of_attempts() -> None:
    settings = Settings.from_env({"VERIFIER_RETRY_INTERVALS": "5,10,20"})
    assert settings.retry_intervals == (5, 10, 20)
    assert settings.max_attempts == 4

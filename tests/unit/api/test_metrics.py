"""GET /metrics through the Flask client: access, formats, and what it must not do.

End-to-end figures (a live server, states seeded, Redis or the database down) are in
tests/integration/test_metrics.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from config.settings import RateLimit, Settings, SettingsError
from verifier.metrics import authorized, code_label
from verifier.store.models import AuditEvent

TOKEN = "s3cret-metrics-token-0123456789"


@pytest.mark.parametrize(
    ("expected", "header", "allowed"),
    [
        (None, None, False),  # no token set: loopback clients only (see below)
        (None, "Bearer anything", False),
        (TOKEN, None, False),
        (TOKEN, "", False),
        (TOKEN, f"Bearer {TOKEN}", True),
        (TOKEN, f"bearer {TOKEN}", True),
        (TOKEN, f"Bearer  {TOKEN} ", True),
        (TOKEN, f"Bearer {TOKEN}x", False),
        (TOKEN, f"Bearer {TOKEN[:-1]}", False),
        (TOKEN, f"Basic {TOKEN}", False),
        (TOKEN, TOKEN, False),
        (TOKEN, "Bearer é", False),
    ],
)
def test_authorized(expected: str | None, header: str | None, allowed: bool) -> None:
    assert authorized(expected, header, "192.0.2.7") is allowed


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", True), ("::1", True), ("127.8.0.2", True), ("10.0.0.5", False), (None, False)],
)
def test_without_a_token_only_loopback_is_answered(address: str | None, allowed: bool) -> None:
    assert authorized(None, None, address) is allowed


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("member_not_found", "member_not_found"),
        ("retry_wait", "retry_wait"),
        (None, ""),
        ("Zelpha Quintavius", "other"),
        ("SBX-ACTIVE-1001", "other"),
        ("a" * 41, "other"),
    ],
)
def test_only_codes_become_labels(raw: str | None, label: str) -> None:
    assert code_label(raw) == label


def test_the_token_setting(service_env: dict[str, str]) -> None:
    assert Settings.from_env(service_env).metrics_token is None
    padded = Settings.from_env(service_env | {"VERIFIER_METRICS_TOKEN": f"  {TOKEN} "})
    assert padded.metrics_token == TOKEN
    assert TOKEN not in repr(padded)
    with pytest.raises(SettingsError, match="VERIFIER_METRICS_TOKEN"):
        Settings.from_env(service_env | {"VERIFIER_METRICS_TOKEN": "short"})


def test_text_format_from_a_registry_of_our_own(client: Any) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    families = {family.name for family in text_string_to_metric_families(body)}
    assert {"verifier_up", "verifier_build_info", "verifier_verifications_active"} <= families
    # Not prometheus_client's global default registry: its per-process collectors would
    # describe whichever gunicorn worker happened to answer.
    assert not any(name.startswith(("process_", "python_")) for name in families)


def test_openmetrics_when_asked(client: Any) -> None:
    response = client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/openmetrics-text"
    assert response.get_data(as_text=True).endswith("# EOF\n")


def test_not_rate_limited_and_not_audited(
    settings: Settings, make_app: Callable[[Settings], Any]
) -> None:
    tight = RateLimit(1, 600)
    app = make_app(
        dataclasses.replace(
            settings, rate_limit_submit=tight, rate_limit_status=tight, metrics_token=TOKEN
        )
    )
    runtime = app.extensions["verifier"]

    def audit_rows() -> int:
        with runtime.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    before = audit_rows()
    client = app.test_client()
    for _ in range(3):
        assert client.get("/metrics").status_code == 401
        allowed = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200
    assert audit_rows() == before


def test_an_unreadable_payer_directory_leaves_the_rest(
    settings: Settings, make_app: Callable[[Settings], Any], tmp_path: Path
) -> None:
    app = make_app(dataclasses.replace(settings, payers_file=tmp_path / "missing.toml"))
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }
    assert samples[("verifier_up", (("component", "redis"),))] == 1
    assert ("verifier_queue_jobs", (("queue", "visitor"),)) in samples
    assert not any(name == "verifier_payer_circuit_state" for name, _ in samples)

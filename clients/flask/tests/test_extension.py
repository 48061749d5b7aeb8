"""`init_monitoring` starts the real SDK from the environment, or stops startup on a bad setting."""

from __future__ import annotations

import pytest
import sentry_sdk
from flask import Flask
from heron_monitoring import Monitoring, MonitoringConfigError, init_monitoring

DSN = "http://public@heron.invalid/1"


def test_the_sdk_starts_with_the_environments_settings_and_the_integrations(
    monkeypatch: pytest.MonkeyPatch, app: Flask
) -> None:
    monkeypatch.setenv("SENTRY_DSN", DSN)
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "staging")
    monkeypatch.setenv("GIT_COMMIT", "3f2a9c1")
    monkeypatch.setenv("SENTRY_SAMPLE_RATE", "0.5")
    app.config["SENTRY_TRACES_SAMPLE_RATE"] = 0.2
    init_monitoring(app, profiles_sample_rate=0.0)
    client = sentry_sdk.get_client()
    assert client.is_active()
    assert {key: client.options[key] for key in ("dsn", "environment", "release", "sample_rate")} == {
        "dsn": DSN,
        "environment": "staging",
        "release": "3f2a9c1",
        "sample_rate": 0.5,
    }
    assert (client.options["traces_sample_rate"], client.options["profiles_sample_rate"]) == (0.2, 0.0)
    assert {"flask", "logging", "sqlalchemy", "heron_flask_user"} <= set(client.integrations)
    assert app.extensions["heron_monitoring"].traces_sample_rate == 0.2


def test_a_bad_variable_stops_startup_before_the_sdk_starts(monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    monkeypatch.setenv("SENTRY_DSN", DSN)
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "lots")
    with pytest.raises(MonitoringConfigError, match="SENTRY_TRACES_SAMPLE_RATE"):
        Monitoring(app)
    assert not sentry_sdk.get_client().is_active()
    assert "heron_monitoring" not in app.extensions

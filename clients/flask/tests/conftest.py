"""Fixtures for the library's own tests: a clean environment, and the real SDK recording what it would send.

The SDK is process-wide state: every test starts without a client bound and ends the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sentry_sdk
from flask import Flask
from heron_monitoring import failures
from heron_monitoring.config import SETTINGS, MonitoringConfig
from heron_monitoring.options import sdk_options
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

DSN = "http://public@heron.invalid/1"


class RecordingTransport(Transport):
    """Keeps the payloads the SDK would send (events and transactions) instead of sending them."""

    def __init__(self) -> None:
        super().__init__()
        self.payloads: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type in ("event", "transaction") and item.payload.json is not None:
                self.payloads.append(item.payload.json)

    def events(self) -> list[dict[str, Any]]:
        return [payload for payload in self.payloads if payload.get("type") != "transaction"]

    def transactions(self) -> list[dict[str, Any]]:
        return [payload for payload in self.payloads if payload.get("type") == "transaction"]


@pytest.fixture(autouse=True)
def unbound_sdk(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SENTRY_* variable set, no failure reported yet, and no SDK client bound once the test is over."""
    for setting in SETTINGS:
        for variable in setting.variables:
            monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(failures, "_reported_kinds", set())
    try:
        with sentry_sdk.isolation_scope():
            yield
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


@pytest.fixture
def recording() -> Callable[..., RecordingTransport]:
    """Starts the real SDK with the library's options for a configuration, recording instead of sending.

    `recording(ignore_errors=[...])`: the arguments are MonitoringConfig fields; all rates are 1.0.
    """

    def start(**fields: Any) -> RecordingTransport:
        config = MonitoringConfig(
            **{
                "dsn": DSN,
                "environment": "test",
                "release": None,
                "traces_sample_rate": 1.0,
                "profiles_sample_rate": 0.0,
                "sample_rate": 1.0,
                **fields,
            }
        )
        transport = RecordingTransport()
        sentry_sdk.init(**sdk_options(config), transport=transport)
        return transport

    return start


@pytest.fixture
def app() -> Flask:
    return Flask("garden")

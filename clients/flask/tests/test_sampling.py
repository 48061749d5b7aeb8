"""Trace sampling: health checks never, the parent's decision when there is one, else the configured rate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from heron_monitoring.config import DEFAULT_HEALTH_CHECK_PATHS
from heron_monitoring.sampling import traces_sampler_for

from conftest import RecordingTransport

HEALTH = frozenset(DEFAULT_HEALTH_CHECK_PATHS)


@pytest.mark.parametrize(
    ("sampling_context", "rate"),
    [
        ({"wsgi_environ": {"PATH_INFO": "/health"}, "parent_sampled": None}, 0.0),
        ({"wsgi_environ": {"PATH_INFO": "/healthz/"}, "parent_sampled": True}, 0.0),
        ({"wsgi_environ": {"PATH_INFO": "/ping"}, "parent_sampled": None}, 0.0),
        ({"wsgi_environ": {"PATH_INFO": "/gardens"}, "parent_sampled": None}, 0.25),
        ({"wsgi_environ": {"PATH_INFO": "/gardens"}, "parent_sampled": True}, 1.0),
        ({"wsgi_environ": {"PATH_INFO": "/gardens"}, "parent_sampled": False}, 0.0),
        ({"transaction_context": {"name": "nightly.report"}, "parent_sampled": None}, 0.25),
    ],
)
def test_health_checks_are_never_traced_and_the_parent_decides_otherwise(
    sampling_context: dict[str, object], rate: float
) -> None:
    assert traces_sampler_for(0.25, HEALTH)(sampling_context) == rate


def test_a_failing_sampler_unsamples_instead_of_raising() -> None:
    assert traces_sampler_for(0.25, HEALTH)(None) == 0.0  # type: ignore[arg-type]


def test_requests_to_health_checks_send_no_transaction(
    recording: Callable[..., RecordingTransport], app: Flask
) -> None:
    sent = recording(health_check_paths=frozenset({"/health", "/status"}))
    app.add_url_rule("/health", "health", lambda: "ok")
    app.add_url_rule("/status", "status", lambda: "ok")
    app.add_url_rule("/gardens", "gardens", lambda: "ok")
    client = app.test_client()
    for path in ("/health", "/status/", "/gardens", "/health"):
        client.get(path)
    assert [transaction["transaction"] for transaction in sent.transactions()] == ["/gardens"]

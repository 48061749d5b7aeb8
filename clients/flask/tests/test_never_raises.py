"""The library never raises into the application: its own failures are logged once per kind and swallowed, while
the application's exceptions pass through its context managers and decorator unchanged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, NoReturn

import pytest
import sentry_sdk
from flask import Flask
from heron_monitoring import (
    add_breadcrumb,
    capture_exception,
    capture_message,
    monitor_performance,
    options,
    set_fingerprint,
    set_tag,
    set_user_context,
    start_span,
    start_transaction,
)

from conftest import RecordingTransport

SDK_FUNCTIONS = (
    "capture_exception",
    "capture_message",
    "add_breadcrumb",
    "set_user",
    "set_tag",
    "get_isolation_scope",
    "get_current_span",
    "start_span",
    "start_transaction",
)


class PaymentDeclined(Exception):
    """The application's own error."""


def sdk_bug(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError("bug inside the SDK")


@pytest.fixture
def broken_sdk(monkeypatch: pytest.MonkeyPatch, recording: Callable[..., RecordingTransport]) -> RecordingTransport:
    """Monitoring on, with every SDK function the library calls raising."""
    sent = recording()
    for name in SDK_FUNCTIONS:
        monkeypatch.setattr(sentry_sdk, name, sdk_bug)
    return sent


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "heron_monitoring" and record.levelno == logging.WARNING
    ]


def test_sdk_failures_are_swallowed_and_logged_once_per_kind(
    broken_sdk: RecordingTransport, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(2):
        assert capture_exception(PaymentDeclined("card declined"), extra_context={"order": 7}) is None
        assert capture_message("Suspicious login attempt detected", level="warning") is None
        add_breadcrumb(message="User clicked 'Subscribe'", category="ui")
        set_user_context(user_id="12345")
        set_tag("payment_status", "failed")
        set_fingerprint(["payment-failed", "sub_1"])
    assert sorted(warnings_logged(caplog)) == [
        f"{kind} failed; the application carries on without it (logged once)"
        for kind in (
            "add_breadcrumb",
            "capture_exception",
            "capture_message",
            "set_fingerprint",
            "set_tag",
            "set_user_context",
        )
    ]
    assert all(record.exc_info is not None for record in caplog.records if record.levelno == logging.WARNING)


def test_a_broken_sdk_still_runs_the_block_and_the_decorated_function(broken_sdk: RecordingTransport) -> None:
    ran = []
    with start_transaction(name="checkout.process_payment") as transaction, start_span("stripe.api", "charge") as span:
        ran.append("block")
        span.set_data("amount", 99)  # the stand-in span accepts what a real one does
        transaction.set_tag("plan", "pro")

    @monitor_performance("email.send_invitation")
    def send_team_invite(email: str) -> str:
        return f"sent to {email}"

    assert ran == ["block"]
    assert send_team_invite("ada@example.com") == "sent to ada@example.com"


@pytest.mark.parametrize("sdk", ["working", "broken"])
def test_the_applications_exception_leaves_every_context_manager_unchanged(
    sdk: str, request: pytest.FixtureRequest, recording: Callable[..., RecordingTransport]
) -> None:
    if sdk == "broken":
        request.getfixturevalue("broken_sdk")
    else:
        recording()
    declined = PaymentDeclined("card declined")
    for open_block in (partial(start_transaction, name="checkout"), partial(start_span, "stripe.api", "charge")):
        with pytest.raises(PaymentDeclined) as raised, open_block():
            raise declined
        assert raised.value is declined


def test_the_applications_exception_leaves_decorated_functions_unchanged(
    recording: Callable[..., RecordingTransport],
) -> None:
    recording()
    declined = PaymentDeclined("card declined")

    @monitor_performance("billing.charge")
    def charge() -> None:
        raise declined

    @monitor_performance("billing.charge_async")
    async def charge_async() -> None:
        raise declined

    with pytest.raises(PaymentDeclined) as raised:
        charge()
    assert raised.value is declined
    with pytest.raises(PaymentDeclined) as raised:
        asyncio.run(charge_async())
    assert raised.value is declined


def test_a_span_that_fails_to_close_does_not_disturb_the_block(
    monkeypatch: pytest.MonkeyPatch, recording: Callable[..., RecordingTransport], caplog: pytest.LogCaptureFixture
) -> None:
    recording()

    @contextmanager
    def failing_on_exit(**kwargs: Any) -> Iterator[sentry_sdk.tracing.Span]:
        yield sentry_sdk.tracing.NoOpSpan()
        raise RuntimeError("bug while finishing the span")

    monkeypatch.setattr(sentry_sdk, "start_span", failing_on_exit)
    with start_span("db.query", "Load gardens"):
        result = "block ran"
    assert result == "block ran"
    declined = PaymentDeclined("card declined")
    with pytest.raises(PaymentDeclined) as raised, start_span("db.query", "Load gardens"):
        raise declined
    assert raised.value is declined
    assert warnings_logged(caplog) == ["start_span failed; the application carries on without it (logged once)"]


def test_misuse_at_runtime_is_swallowed_too(
    recording: Callable[..., RecordingTransport], caplog: pytest.LogCaptureFixture
) -> None:
    sent = recording()
    assert capture_message("report", extra_context=42) is None  # type: ignore[arg-type]
    add_breadcrumb(message="clicked", data=["not", "a", "mapping"])  # type: ignore[arg-type]
    set_fingerprint(None)  # type: ignore[arg-type]
    assert sent.events() == []
    assert len(warnings_logged(caplog)) == 3


def test_a_failing_scrubber_drops_the_event_rather_than_leak_it(
    monkeypatch: pytest.MonkeyPatch, recording: Callable[..., RecordingTransport], caplog: pytest.LogCaptureFixture
) -> None:
    sent = recording()
    monkeypatch.setattr(options, "scrub_event", sdk_bug)
    assert capture_message("password is hunter2") is None
    assert sent.events() == []
    assert warnings_logged(caplog) == ["before_send failed; the application carries on without it (logged once)"]


def test_a_failing_user_lookup_keeps_the_event(
    recording: Callable[..., RecordingTransport], app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    sent = recording()

    class BrokenUser:
        @property
        def email(self) -> str:
            raise RuntimeError("lazy load on a closed session")

    @app.route("/")
    def index() -> str:
        from flask import g

        g.user = BrokenUser()
        capture_message("still sent")
        return "ok"

    assert app.test_client().get("/").status_code == 200
    [event] = sent.events()
    assert event["message"] == "still sent"
    assert "user" not in event
    assert len(warnings_logged(caplog)) == 1

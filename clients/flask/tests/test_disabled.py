"""Without a DSN monitoring is off: said once in the log, and every function is a harmless no-op."""

from __future__ import annotations

import asyncio
import logging

import pytest
import sentry_sdk
from flask import Flask
from heron_monitoring import (
    Monitoring,
    add_breadcrumb,
    capture_exception,
    capture_message,
    init_monitoring,
    monitor_performance,
    set_fingerprint,
    set_tag,
    set_user_context,
    start_span,
    start_transaction,
)


def test_without_a_dsn_monitoring_is_off_and_says_so_once(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="heron_monitoring"):
        init_monitoring(app)
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("INFO", "SENTRY_DSN is not set: monitoring is off")
    ]
    assert not sentry_sdk.get_client().is_active()
    assert app.extensions["heron_monitoring"].enabled is False


def test_the_extension_can_be_created_first_and_bound_later(app: Flask) -> None:
    monitoring = Monitoring(environment="staging")
    assert "heron_monitoring" not in app.extensions
    monitoring.init_app(app)
    assert app.extensions["heron_monitoring"].environment == "staging"


def test_every_function_is_a_no_op(app: Flask) -> None:
    init_monitoring(app)
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError as error:
        assert capture_exception(error, extra_context={"operation": "checkout"}) is None
    assert capture_message("Suspicious login attempt detected", level="warning", extra_context={"ip": "::1"}) is None
    add_breadcrumb(message="User clicked 'Subscribe'", category="ui", data={"plan": "monthly"})
    set_user_context(user_id="12345", email="user@example.com", subscription="pro")
    set_fingerprint(["payment-failed", "sub_1"])
    set_tag("payment_status", "failed")
    ran = []
    with (
        start_transaction(name="checkout.process_payment", op="task") as transaction,
        start_span("stripe.api", "Create Stripe customer") as span,
    ):
        ran.append((transaction.sampled, span.sampled))
    assert ran == [(False, False)]


def test_decorated_functions_still_return_their_values(app: Flask) -> None:
    init_monitoring(app)

    @monitor_performance("email.send_invitation")
    def send_team_invite(email: str, role: str = "member") -> str:
        return f"{email} as {role}"

    @monitor_performance("email.send_digest")
    async def send_digest(count: int) -> int:
        await asyncio.sleep(0)
        return count + 1

    assert send_team_invite("ada@example.com", role="owner") == "ada@example.com as owner"
    assert asyncio.run(send_digest(41)) == 42

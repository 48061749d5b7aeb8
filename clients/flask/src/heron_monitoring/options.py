"""The `sentry_sdk.init` options for a configuration: the integrations and the hooks that filter and scrub."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sentry_sdk.integrations import DidNotEnable, Integration
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from heron_monitoring.config import MonitoringConfig
from heron_monitoring.failures import never_raises
from heron_monitoring.filtering import is_client_error, is_ignored
from heron_monitoring.sampling import traces_sampler_for
from heron_monitoring.scrubbing import scrub_event, scrub_value
from heron_monitoring.user import FlaskUserIntegration

EventHook = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any] | None]


def sdk_options(config: MonitoringConfig) -> dict[str, Any]:
    """Keyword arguments for `sentry_sdk.init`."""
    return {
        "dsn": config.dsn,
        "environment": config.environment,
        "release": config.release,
        "sample_rate": config.sample_rate,
        "traces_sample_rate": config.traces_sample_rate,
        "traces_sampler": traces_sampler_for(config.traces_sample_rate, config.health_check_paths),
        "profiles_sample_rate": config.profiles_sample_rate,
        "integrations": integrations(),
        "before_send": before_send_for(config),
        "before_send_transaction": before_send_transaction,
        "before_breadcrumb": before_breadcrumb,
    }


def integrations() -> list[Integration]:
    """Flask, logging, the `g.user` reader, and SQLAlchemy when it is installed."""
    return [
        FlaskIntegration(transaction_style="url"),
        LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        FlaskUserIntegration(),
        *_sqlalchemy_integration(),
    ]


def before_send_for(config: MonitoringConfig) -> EventHook:
    """Drops ignored errors and client HTTP errors, scrubs the rest. A failure drops the event: it might leak."""

    @never_raises
    def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
        error_type, error, _ = hint.get("exc_info") or (None, None, None)
        if error_type is not None and (is_ignored(error_type, config.ignore_errors) or is_client_error(error)):
            return None
        return scrub_event(event)

    return before_send


@never_raises
def before_send_transaction(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """Scrubs a transaction (request data, span descriptions and data); a failure drops it."""
    return scrub_event(event)


@never_raises
def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """Scrubs a breadcrumb's message and data; a failure drops it."""
    scrubbed: dict[str, Any] = scrub_value(crumb)
    return scrubbed


def _sqlalchemy_integration() -> list[Integration]:
    try:
        from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration
    except (DidNotEnable, ImportError):  # SQLAlchemy is not installed
        return []
    return [SqlalchemyIntegration()]

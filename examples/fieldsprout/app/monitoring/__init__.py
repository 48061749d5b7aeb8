"""Monitoring for FieldSprout, set up as the Sentry guide for Flask describes.

The app factory calls `init_monitoring(app)`; the rest of the app imports the helpers from here, never from the
SDK, so that this module stays the one place that knows where errors go. Everything is configured by the
SENTRY_* environment variables (SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_RELEASE, SENTRY_TRACES_SAMPLE_RATE…);
without SENTRY_DSN monitoring is off and the helpers do nothing.
"""

from __future__ import annotations

import heron_monitoring
from flask import Flask
from heron_monitoring import (
    add_breadcrumb,
    capture_exception,
    capture_message,
    monitor_performance,
    set_fingerprint,
    set_tag,
    set_user_context,
    start_span,
    start_transaction,
)

__all__ = [
    "add_breadcrumb",
    "capture_exception",
    "capture_message",
    "init_monitoring",
    "monitor_performance",
    "set_fingerprint",
    "set_tag",
    "set_user_context",
    "start_span",
    "start_transaction",
]


def init_monitoring(app: Flask) -> None:
    """Start error and performance monitoring for `app`; the signed-in user is read from `flask.g.user`."""
    heron_monitoring.init_monitoring(
        app,
        ignore_errors=[KeyboardInterrupt, SystemExit],
        health_check_paths=["/health"],
    )

"""The Flask extension: `init_monitoring(app)`, `Monitoring(app)` or `Monitoring().init_app(app)`."""

from __future__ import annotations

import os
from typing import Unpack

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.logging import ignore_logger

from heron_monitoring.config import MonitoringConfig, MonitoringOptions, load_config
from heron_monitoring.failures import logger, never_raises
from heron_monitoring.options import sdk_options

EXTENSION_KEY = "heron_monitoring"


class Monitoring:
    """Error and performance monitoring for a Flask app.

    The Sentry SDK is process-wide: the app initialised last decides where every event of the process goes.
    """

    def __init__(self, app: Flask | None = None, **options: Unpack[MonitoringOptions]) -> None:
        self.options = options
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Read the configuration and start the SDK; an invalid setting raises MonitoringConfigError.

        The resolved configuration is kept in `app.extensions["heron_monitoring"]`.
        """
        config = load_config(os.environ, app.config, self.options)
        app.extensions[EXTENSION_KEY] = config
        if not config.enabled:
            logger.info("SENTRY_DSN is not set: monitoring is off")
            return
        _start_sdk(config)


def init_monitoring(app: Flask, **options: Unpack[MonitoringOptions]) -> Monitoring:
    """Start monitoring `app`; keyword `options` override `app.config` and the environment (see the README)."""
    return Monitoring(app, **options)


@never_raises
def _start_sdk(config: MonitoringConfig) -> None:
    ignore_logger(logger.name)  # what the library logs about itself must not come back to it as events
    sentry_sdk.init(**sdk_options(config))

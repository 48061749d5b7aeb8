"""What the application reports: exceptions, messages, breadcrumbs, tags and fingerprints.

Each function is a no-op while monitoring is off, and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

import sentry_sdk

from heron_monitoring.failures import never_raises

Level = Literal["fatal", "error", "warning", "info", "debug"]

# Spellings the `logging` module taught people, mapped to the protocol's levels.
_LEVEL_ALIASES = {"warn": "warning", "critical": "fatal"}


@never_raises
def capture_exception(error: BaseException | None = None, extra_context: Mapping[str, Any] | None = None) -> str | None:
    """Report an exception (by default the one being handled) with `extra_context`; returns the event id."""
    return sentry_sdk.capture_exception(error, extras=_extras(extra_context))


@never_raises
def capture_message(
    message: str, level: Level | str = "info", extra_context: Mapping[str, Any] | None = None
) -> str | None:
    """Report a message at `level` with `extra_context`; returns the event id."""
    return sentry_sdk.capture_message(message, level=_level(level), extras=_extras(extra_context))


@never_raises
def add_breadcrumb(
    message: str | None = None,
    category: str | None = None,
    data: Mapping[str, Any] | None = None,
    level: Level | str = "info",
) -> None:
    """Leave a breadcrumb; the next event of the current request carries it, after the earlier ones."""
    crumb = {"message": message, "category": category, "data": dict(data) if data is not None else None}
    sentry_sdk.add_breadcrumb({key: value for key, value in crumb.items() if value is not None}, level=_level(level))


@never_raises
def set_tag(key: str, value: str | int | float | bool) -> None:
    """Tag the events of the current request (or scope), e.g. `set_tag("payment_status", "failed")`."""
    sentry_sdk.set_tag(key, value)


@never_raises
def set_fingerprint(parts: Sequence[str | int]) -> None:
    """Group the events of the current request (or scope) by `parts` instead of by stack trace.

    `set_fingerprint(["payment-failed", subscription_id])` makes one issue per subscription. An empty list goes
    back to the default grouping.
    """
    sentry_sdk.get_isolation_scope().fingerprint = [str(part) for part in parts] or None


def _level(level: str) -> Level:
    normalized = level.lower()
    return cast(Level, _LEVEL_ALIASES.get(normalized, normalized))  # other levels are passed on as they are


def _extras(extra_context: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(extra_context) if extra_context is not None else None

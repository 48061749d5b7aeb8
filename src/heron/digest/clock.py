"""Event timestamps: SDK clock drift correction and the future/past bounds (Relay `clock_drift.rs`,
`event.rs: normalize_timestamps`).

Works on an event whose timestamps are already epoch floats, so the transaction path can reuse it for
`start_timestamp` and spans.
"""

from __future__ import annotations

from typing import Any

from heron.digest.fields import Errors, record_error
from heron.protocol.errors import ProtocolError
from heron.protocol.timestamps import format_timestamp

MAX_SECS_IN_FUTURE = 60.0
MAX_SECS_IN_PAST = 30 * 24 * 3600.0
# Envelope `sent_at` drift below this is ordinary network and queueing delay, not a wrong SDK clock.
MIN_CLOCK_DRIFT = 55 * 60.0


def correct_clock(event: dict[str, Any], *, received: float, sent_at: float | None, errors: Errors) -> None:
    """Corrects every timestamp of `event` in place, then sets `timestamp` (default: received) and `received`.

    First, when the SDK's clock disagrees with ours by at least 55 minutes (`received - sent_at`), all
    timestamps shift by that drift (error `clock_drift`). Then, a timestamp still more than 60 s ahead of
    `received` or more than 30 days behind it is taken as the SDK's notion of "now": all timestamps shift so
    that it equals `received` (error `future_timestamp` / `past_timestamp`).
    """
    if sent_at is not None and abs(received - sent_at) >= MIN_CLOCK_DRIFT:
        shift_timestamps(event, received - sent_at)
        _record_shift(errors, "clock_drift", sent_at, received)

    timestamp = event.get("timestamp")
    if isinstance(timestamp, float):
        kind = None
        if timestamp > received + MAX_SECS_IN_FUTURE:
            kind = "future_timestamp"
        elif timestamp < received - MAX_SECS_IN_PAST:
            kind = "past_timestamp"
        if kind is not None:
            shift_timestamps(event, received - timestamp)
            _record_shift(errors, kind, timestamp, received)
    else:
        event["timestamp"] = received
    event["received"] = received


def shift_timestamps(event: dict[str, Any], seconds: float) -> None:
    """Adds `seconds` to the event's, its breadcrumbs' and its spans' timestamps (in place)."""
    _shift_fields(event, seconds)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict) and isinstance(breadcrumbs.get("values"), list):
        for breadcrumb in breadcrumbs["values"]:
            _shift_fields(breadcrumb, seconds)
    spans = event.get("spans")
    if isinstance(spans, list):
        for span in spans:
            _shift_fields(span, seconds)


def _shift_fields(item: Any, seconds: float) -> None:
    if not isinstance(item, dict):
        return
    for key in ("timestamp", "start_timestamp"):
        value = item.get(key)
        if isinstance(value, float):
            item[key] = value + seconds


def _record_shift(errors: Errors, kind: str, sdk_time: float, server_time: float) -> None:
    record_error(
        errors,
        kind,
        "timestamp",
        sdk_time=_iso(sdk_time),
        server_time=_iso(server_time),
    )


def _iso(ts: float) -> str | float:
    # A timestamp outside years 1-9999 has no RFC 3339 form; the number itself still explains the error.
    try:
        return format_timestamp(ts)
    except ProtocolError:
        return ts

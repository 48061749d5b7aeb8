"""Timestamps as SDKs send them: RFC 3339 strings (Python) and epoch seconds (JS, sentry-cli, logs).

Both appear in the same item types, sometimes in the same envelope (PROTOCOL §11.6), so every reader of a
timestamp goes through `parse_timestamp`, which answers epoch seconds or None and never raises.
"""

from __future__ import annotations

import math
import re
from calendar import timegm
from datetime import UTC, datetime

from heron.protocol.errors import MalformedRequest

# The range `datetime` can represent, so that every parsed timestamp can be formatted back.
_MIN_EPOCH = -62135596800.0  # 0001-01-01T00:00:00Z
_MAX_EPOCH = 253402300799.0  # 9999-12-31T23:59:59Z: later fractions would round into year 10000

_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DATETIME_RE = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    (?:[Tt\ ]
        (?P<hour>\d{2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
    )?
    \s*
    (?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    """,
    re.ASCII | re.VERBOSE,
)


# The form the Python SDK writes every event, breadcrumb and envelope timestamp in (`format_timestamp`'s).
_SDK_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)
_EPOCH = datetime(1970, 1, 1)


def parse_timestamp(value: object) -> float | None:
    """Epoch seconds from an ISO-8601/RFC 3339 string, an epoch number or a numeric string.

    Naive datetimes are UTC; offsets are applied; fractions may have any number of digits. Returns None
    for anything missing, malformed, non-finite, boolean or outside years 1-9999.

    The form the Python SDK sends takes a shortcut with the same result, five times faster: an event carries
    dozens of breadcrumb timestamps, and the general parser cost more than the rest of a breadcrumb. The sum below
    is the one the general parser computes (whole seconds as a float, plus the fraction); anything unusual, such
    as an invalid date or year 9999 (whose last second is out of range), is left to it.
    """
    if type(value) is str and len(value) == 27 and _SDK_TIMESTAMP.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value[:26])
        except ValueError:
            return _parse_any(value)
        if moment.year < 9999:
            since_epoch = moment - _EPOCH
            return float(since_epoch.days * 86400 + since_epoch.seconds) + moment.microsecond / 1_000_000
    return _parse_any(value)


def _parse_any(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # Compared as int first: a huge int would overflow float().
        return float(value) if _MIN_EPOCH <= value <= _MAX_EPOCH else None
    if isinstance(value, float):
        return _in_range(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _NUMBER_RE.fullmatch(text):
        return _in_range(float(text))
    match = _DATETIME_RE.fullmatch(text)
    return _from_match(match) if match else None


def format_timestamp(ts: float) -> str:
    """`2026-11-28T11:55:32.644916Z`: UTC, microseconds, `Z` (the form the Python SDK sends).

    Raises MalformedRequest for a value `parse_timestamp` would not return (non-finite, out of range).
    """
    try:
        moment = datetime.fromtimestamp(ts, UTC)
    except (ValueError, OverflowError, OSError):
        raise MalformedRequest(f"timestamp out of range: {ts!r}") from None
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _in_range(value: float) -> float | None:
    if math.isfinite(value) and _MIN_EPOCH <= value <= _MAX_EPOCH:
        return value
    return None


def _from_match(match: re.Match[str]) -> float | None:
    parts = match.groupdict()
    try:
        # Validates the calendar (no 31st of February); seconds come from timegm, which has no range limit.
        moment = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
        )
    except ValueError:
        return None
    seconds = float(timegm(moment.timetuple()))
    fraction = parts["fraction"]
    if fraction:
        # Only the first 9 digits matter (nanoseconds); the rest would only cost float precision.
        seconds += int(fraction[:9]) / 10 ** len(fraction[:9])
    zone = parts["zone"]
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        seconds -= sign * (hours * 3600 + minutes * 60)
    return _in_range(seconds)

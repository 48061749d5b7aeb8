"""The subset of Sentry's Discover that performance needs: which fields and filters a request asks for, and the
rows and `meta` Sentry answers with. Pure: the API reads the rollups and hands them in."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from heron.perf.summaries import Summary

# Each aggregate field: its value from a Summary over the period, its Discover type and unit.
AGGREGATES: dict[str, tuple[Callable[[Summary, timedelta], float | int | None], str, str | None]] = {
    "count()": (lambda s, _p: s.count, "integer", None),
    "p50()": (lambda s, _p: s.percentile("p50"), "duration", "millisecond"),
    "p75()": (lambda s, _p: s.percentile("p75"), "duration", "millisecond"),
    "p95()": (lambda s, _p: s.percentile("p95"), "duration", "millisecond"),
    "p99()": (lambda s, _p: s.percentile("p99"), "duration", "millisecond"),
    "avg(transaction.duration)": (lambda s, _p: s.average, "duration", "millisecond"),
    "failure_rate()": (lambda s, _p: s.failure_rate, "percentage", None),
    "failure_count()": (lambda s, _p: s.failures, "integer", None),
    "tpm()": (lambda s, p: s.per_minute(p), "rate", "1/minute"),
    "epm()": (lambda s, p: s.per_minute(p), "rate", "1/minute"),
    "apdex()": (lambda s, _p: s.apdex, "number", None),
}
COLUMNS = {"transaction": "string", "project": "string"}
# Fields of single transactions: asked for without aggregates, the table lists transactions themselves.
EVENT_COLUMNS = {"id": "string", "transaction": "string", "project": "string", "transaction.duration": "duration",
                 "timestamp": "date", "trace": "string", "transaction.status": "string", "environment": "string",
                 "release": "string", "http.status_code": "integer"}  # fmt: skip
# Spellings Sentry also accepts for the same aggregate.
_ALIASES = {"count": "count()", "avg()": "avg(transaction.duration)"}
_PERCENTILE_OF_DURATION = re.compile(r"(p50|p75|p95|p99)\(transaction\.duration\)")
_APDEX_WITH_THRESHOLD = re.compile(r"apdex\(\d+\)")


class DiscoverError(ValueError):
    """A request Heron's Discover cannot answer; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What `query=` asked for: transactions only, optionally one name and one environment."""

    transaction: str | None = None
    environment: str | None = None


def normalize_field(field: str) -> str:
    """The canonical spelling of a field (`p95(transaction.duration)` is `p95()`); DiscoverError if unknown."""
    field = field.strip()
    field = _ALIASES.get(field, field)
    if _PERCENTILE_OF_DURATION.fullmatch(field):
        field = field.split("(", 1)[0] + "()"
    if _APDEX_WITH_THRESHOLD.fullmatch(field):
        field = "apdex()"  # the project's threshold (its settings) is what the rollups were counted with
    if field not in AGGREGATES and field not in EVENT_COLUMNS:
        known = ", ".join([*EVENT_COLUMNS, *AGGREGATES])
        raise DiscoverError(f"Unsupported field {field!r}; Heron answers these: {known}")
    return field


def parse_query(query: str) -> Filters:
    """`event.type:transaction transaction:"GET /checkout" environment:production`; DiscoverError otherwise."""
    try:
        tokens = shlex.split(query)
    except ValueError as error:
        raise DiscoverError(f"Invalid query: {error}") from None
    values: dict[str, str] = {}
    for token in tokens:
        key, colon, value = token.partition(":")
        if not colon or not value:
            raise DiscoverError(f"Unsupported search term {token!r}: use key:value")
        if key == "event.type":
            if value != "transaction":
                raise DiscoverError("Only event.type:transaction is supported here (errors are in the issues API)")
            continue
        if key not in ("transaction", "environment"):
            raise DiscoverError(f"Unsupported search key {key!r}; use event.type, transaction or environment")
        values[key] = value
    return Filters(values.get("transaction"), values.get("environment"))


def rows_of(fields: list[str], summaries: dict[tuple[str, str], Summary], period: timedelta) -> list[dict[str, Any]]:
    """One row per (project slug, transaction name) with the fields asked for."""
    rows = []
    for (project, name), summary in summaries.items():
        row: dict[str, Any] = {}
        for field in fields:
            if field == "transaction":
                row[field] = name
            elif field == "project":
                row[field] = project
            else:
                value = AGGREGATES[field][0](summary, period)
                row[field] = round(value, 6) if isinstance(value, float) else value
        rows.append(row)
    return rows


def sort_rows(rows: list[dict[str, Any]], sort: str, fields: list[str]) -> None:
    """Sort in place by `sort` (`-p95()` descending); the field must be one of those asked for."""
    descending = sort.startswith("-")
    key = normalize_field(sort.removeprefix("-"))
    if key not in fields:
        raise DiscoverError(f"Cannot sort by {key!r}: it is not one of the requested fields")
    present = [row for row in rows if row.get(key) is not None]
    missing = [row for row in rows if row.get(key) is None]
    present.sort(key=lambda row: row[key], reverse=descending)
    rows[:] = present + missing


def lists_events(fields: list[str]) -> bool:
    """Whether the fields ask for single transactions (no aggregates); DiscoverError when they mix both kinds."""
    aggregates = [field for field in fields if field in AGGREGATES]
    singles = [field for field in fields if field not in AGGREGATES and field not in COLUMNS]
    if aggregates and singles:
        raise DiscoverError(f"Fields {', '.join(singles)} cannot be combined with aggregates such as {aggregates[0]}")
    return not aggregates


def meta(fields: list[str]) -> dict[str, Any]:
    """Sentry's `meta`: each field's type and unit."""
    types = {field: EVENT_COLUMNS.get(field) or AGGREGATES[field][1] for field in fields}
    units = {
        field: AGGREGATES[field][2]
        if field in AGGREGATES
        else ("millisecond" if field == "transaction.duration" else None)
        for field in fields
    }
    return {"fields": types, "units": units, "isMetricsData": False, "tips": {}}

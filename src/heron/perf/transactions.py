"""What a transaction payload says, as the rows performance keeps: the transaction itself (name, op, timing,
status, HTTP status, user, web vitals) and its spans. Pure: no I/O; the digest stores what this returns.

Durations are milliseconds. A transaction fails, as Sentry's failure_rate() counts, when its status is neither
`ok`, `cancelled` nor `unknown`. Apdex: satisfied at or under the threshold T, tolerated up to 4 T.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from heron.protocol.timestamps import parse_timestamp

NOT_FAILED = frozenset({"ok", "cancelled", "unknown"})
DEFAULT_APDEX_MS = 300.0
WEB_VITALS = ("lcp", "fcp", "cls", "ttfb", "fid", "inp")
MAX_SPANS = 1_000
_TEXT = 200
_HEX = re.compile("[0-9a-f]+")


class TransactionError(ValueError):
    """A transaction payload that cannot be kept (no name, no timing)."""


@dataclass(frozen=True, slots=True)
class SpanRecord:
    span_id: str
    parent_span_id: str | None
    op: str
    description: str
    start: float  # epoch seconds
    duration_ms: float
    status: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TransactionRecord:
    name: str
    op: str
    source: str
    environment: str
    release: str | None
    trace_id: str | None
    span_id: str | None
    start: float  # epoch seconds
    duration_ms: float
    status: str
    http_status: int | None
    user: str | None
    measurements: dict[str, float]
    spans: list[SpanRecord]

    @property
    def failed(self) -> bool:
        return self.status not in NOT_FAILED


def read_transaction(payload: dict[str, Any]) -> TransactionRecord:
    """The transaction of a `transaction` item's JSON. TransactionError when it has no name or no valid timing."""
    name = _text(payload.get("transaction"))
    if not name:
        raise TransactionError("a transaction needs a name")
    start, end = parse_timestamp(payload.get("start_timestamp")), parse_timestamp(payload.get("timestamp"))
    if start is None or end is None or end < start:
        raise TransactionError("a transaction needs start_timestamp <= timestamp")
    contexts = _dict(payload.get("contexts"))
    trace = _dict(contexts.get("trace"))
    info = _dict(payload.get("transaction_info"))
    return TransactionRecord(
        name=name,
        op=_text(trace.get("op")) or "default",
        source=_text(info.get("source")) or "unknown",
        environment=_text(payload.get("environment"))[:64] or "production",
        release=_text(payload.get("release")) or None,
        trace_id=_hex(trace.get("trace_id"), 32),
        span_id=_hex(trace.get("span_id"), 16),
        start=start,
        duration_ms=(end - start) * 1000.0,
        status=_text(trace.get("status")) or "unknown",
        http_status=_http_status(payload, contexts, trace),
        user=_user(payload.get("user")),
        measurements=_measurements(payload.get("measurements")),
        spans=_spans(payload.get("spans")),
    )


def apdex(satisfied: int, tolerated: int, total: int) -> float | None:
    """(satisfied + tolerated / 2) / total; None without transactions."""
    return (satisfied + tolerated / 2) / total if total else None


def _spans(raw: object) -> list[SpanRecord]:
    spans = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        start, end = parse_timestamp(item.get("start_timestamp")), parse_timestamp(item.get("timestamp"))
        span_id = _hex(item.get("span_id"), 16)
        if start is None or end is None or end < start or span_id is None:
            continue
        data = _dict(item.get("data"))
        spans.append(
            SpanRecord(
                span_id=span_id,
                parent_span_id=_hex(item.get("parent_span_id"), 16),
                op=_text(item.get("op")) or "default",
                description=str(item.get("description") or "")[:2_000],
                start=start,
                duration_ms=(end - start) * 1000.0,
                status=_text(item.get("status")) or "ok",
                data={key: value for key, value in data.items() if isinstance(value, str | int | float | bool)},
            )
        )
        if len(spans) == MAX_SPANS:
            break
    spans.sort(key=lambda span: span.start)
    return spans


def _http_status(payload: dict[str, Any], contexts: dict[str, Any], trace: dict[str, Any]) -> int | None:
    response = _dict(contexts.get("response"))
    data = _dict(trace.get("data"))
    tags = payload.get("tags")
    tag_value = tags.get("http.status_code") if isinstance(tags, dict) else None
    for candidate in (response.get("status_code"), data.get("http.response.status_code"), tag_value):
        if isinstance(candidate, int) and 100 <= candidate <= 599:
            return candidate
        if isinstance(candidate, str) and candidate.isdigit() and 100 <= int(candidate) <= 599:
            return int(candidate)
    return None


def _user(raw: object) -> str | None:
    if not isinstance(raw, dict):
        return None
    for key in ("id", "email", "username", "ip_address"):
        if raw.get(key):
            return f"{key.removesuffix('_address')}:{str(raw[key])[:200]}"
    return None


def _measurements(raw: object) -> dict[str, float]:
    found = {}
    for name, value in raw.items() if isinstance(raw, dict) else ():
        number = value.get("value") if isinstance(value, dict) else None
        if isinstance(name, str) and isinstance(number, int | float) and not isinstance(number, bool):
            found[name.lower()[:64]] = float(number)
    return found


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value.strip()[:_TEXT] if isinstance(value, str) else ""


def _hex(value: object, length: int) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = value.replace("-", "").lower()
    if len(cleaned) != length or not _HEX.fullmatch(cleaned):
        return None
    return cleaned

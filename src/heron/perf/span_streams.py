"""Streamed spans (`span` items of content type application/vnd.sentry.items.span.v2+json, which @sentry/browser
11 sends by default, `traceLifecycle: "stream"`) read as the transactions they make up.

A container holds spans as `{"version": 2, "items": [span, ...]}`; a span has `name`, `span_id`, `trace_id`,
`parent_span_id`, `start_timestamp`, `end_timestamp`, `is_segment`, `status` (`ok` or `error`) and typed
`attributes` (`{"sentry.op": {"value": "pageload", "type": "string"}, ...}`). A segment span (`is_segment`) is what
a transaction was: its attributes say the release, environment, op and web vitals (`browser.web_vital.fcp.value`);
the others name their segment (`sentry.segment.id`). Each segment with the spans of the same container that belong
to it becomes a transaction payload of the classic shape, which the digest reads like any other
(heron.perf.transactions.read_transaction). The SDK sends a segment's spans together when the segment ends; spans
whose segment is not in their container are counted, not kept, except for the web vitals they carry: CLS, and LCP
when nothing ended it earlier, come in spans of their own when the page is hidden, after the pageload was sent, and
are added to the stored transaction (whose event id comes from the trace and segment ids).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

SPAN_CONTAINER = "application/vnd.sentry.items.span.v2+json"
_WEB_VITAL = re.compile(r"browser\.web_vital\.([a-z]+)\.value")
# A pageload or navigation named after the URL arrives with a placeholder name and the path in `url.path`.
_NAMED_BY_URL = "url"
_STATUS = {"ok": "ok", "error": "internal_error"}
_USER = {"user.id": "id", "user.email": "email", "user.name": "username", "user.ip_address": "ip_address"}


@dataclass(slots=True)
class StreamedTransactions:
    """The transactions a container makes up, web vitals for transactions sent before (by their event id), and how
    many of its spans belong to none of them and carry no web vital."""

    transactions: list[dict[str, Any]] = field(default_factory=list)
    late_vitals: dict[str, dict[str, float]] = field(default_factory=dict)
    unattached: int = 0


def read_span_container(container: dict[str, Any]) -> StreamedTransactions:
    """The transaction payloads (with their `event_id`) of a span container's segments."""
    spans = [span for span in container.get("items") or [] if isinstance(span, dict)]
    segments = {span.get("span_id"): span for span in spans if span.get("is_segment") is True}
    children: dict[Any, list[dict[str, Any]]] = {span_id: [] for span_id in segments}
    found = StreamedTransactions()
    for span in spans:
        if span.get("is_segment") is True:
            continue
        owner = _attributes(span).get("sentry.segment.id")
        if owner in children:
            children[owner].append(span)
        elif vitals := _web_vitals(span):
            found.late_vitals.setdefault(_event_id(span.get("trace_id"), owner), {}).update(vitals)
        else:
            found.unattached += 1
    for span_id, segment in segments.items():
        found.transactions.append(_transaction(segment, children[span_id]))
    return found


def _event_id(trace_id: Any, segment_id: Any) -> str:
    """The event id of a segment's transaction: the same for every span of it, in any container."""
    return hashlib.md5(f"{trace_id}:{segment_id}".encode(), usedforsecurity=False).hexdigest()


def _web_vitals(span: dict[str, Any]) -> dict[str, float]:
    """`browser.web_vital.<name>.value` attributes: name -> value."""
    vitals = {}
    for key, value in _attributes(span).items():
        matched = _WEB_VITAL.fullmatch(key)
        if matched and isinstance(value, int | float) and not isinstance(value, bool):
            vitals[matched.group(1)] = float(value)
    return vitals


def _transaction(segment: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    attributes = _attributes(segment)
    name = segment.get("name")
    if attributes.get("sentry.segment.name.source") == _NAMED_BY_URL and isinstance(attributes.get("url.path"), str):
        name = attributes["url.path"]
    trace_id, span_id = segment.get("trace_id"), segment.get("span_id")
    vitals: dict[str, float] = {}
    for span in (*children, segment):  # the segment's own values win (LCP and CLS come in spans of their own)
        vitals.update(_web_vitals(span))
    status_code = attributes.get("http.response.status_code")
    user = {field: attributes[key] for key, field in _USER.items() if isinstance(attributes.get(key), str | int)}
    return {
        "event_id": _event_id(trace_id, span_id),
        "type": "transaction",
        "transaction": name,
        "transaction_info": {"source": attributes.get("sentry.segment.name.source") or "custom"},
        "start_timestamp": segment.get("start_timestamp"),
        "timestamp": segment.get("end_timestamp"),
        "release": attributes.get("sentry.release"),
        "environment": attributes.get("sentry.environment"),
        "user": user or None,
        "measurements": {name: {"value": value} for name, value in vitals.items()},
        "contexts": {
            "trace": {
                "trace_id": trace_id,
                "span_id": span_id,
                "parent_span_id": segment.get("parent_span_id"),
                "op": attributes.get("sentry.op"),
                "status": _STATUS.get(str(segment.get("status")), "unknown"),
            },
            "response": {"status_code": status_code} if status_code is not None else {},
        },
        "spans": [_span(span, attributes) for span in children],
    }


def _span(span: dict[str, Any], segment: dict[str, Any]) -> dict[str, Any]:
    """A child span in the classic shape; its data leaves out the SDK's own attributes and what every span of the
    segment repeats (the user agent, the release…)."""
    attributes = _attributes(span)
    op = attributes.get("sentry.op")
    return {
        "span_id": span.get("span_id"),
        "parent_span_id": span.get("parent_span_id"),
        "op": op,
        "description": _description(span.get("name"), op if isinstance(op, str) else "", attributes),
        "start_timestamp": span.get("start_timestamp"),
        "timestamp": span.get("end_timestamp"),
        "status": _STATUS.get(str(span.get("status")), "unknown"),
        "data": {
            key: value
            for key, value in attributes.items()
            if not key.startswith("sentry.") and (key not in segment or segment[key] != value)
        },
    }


def _description(name: Any, op: str, attributes: dict[str, Any]) -> Any:
    """What a transaction's span would have said: streamed spans are named generically ("GET shop.example",
    "Database operation") and carry the URL or the query as attributes."""
    url, method = attributes.get("url.full"), attributes.get("http.request.method")
    query = attributes.get("db.query.text") or attributes.get("db.statement")
    if op.startswith("http") and isinstance(url, str) and url and isinstance(method, str):
        return f"{method} {url}"
    if op.startswith("resource.") and isinstance(url, str) and url:
        return url
    if op.startswith("db") and isinstance(query, str) and query:
        return query
    return name


def _attributes(span: dict[str, Any]) -> dict[str, Any]:
    """A span's attributes as plain values (`{"value": …, "type": …}` unwrapped)."""
    raw = span.get("attributes")
    if not isinstance(raw, dict):
        return {}
    return {key: typed.get("value") for key, typed in raw.items() if isinstance(typed, dict)}

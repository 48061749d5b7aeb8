"""A stored event (the canonical event of docs/canonical-event.md) arranged for reading: the raised exception
first, the most recent frame first, values as text. Pure: strings stay strings, and escaping is the templates'."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson

Pairs = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class ContextLine:
    number: int | None
    text: str
    current: bool


@dataclass(frozen=True, slots=True)
class FrameView:
    """One stack frame; `expanded` marks the frame shown open (the most recent in-app one)."""

    location: str
    function: str
    line: int | None
    column: int | None
    in_app: bool
    context: list[ContextLine]
    variables: Pairs
    expanded: bool


@dataclass(frozen=True, slots=True)
class ExceptionView:
    """One exception of the chain (or a bare stack trace, without type and value)."""

    type: str
    value: str
    module: str
    mechanism: str
    handled: bool | None
    frames: list[FrameView]


@dataclass(frozen=True, slots=True)
class CrumbView:
    time: datetime | None
    type: str
    category: str
    level: str
    message: str
    data: str


@dataclass(frozen=True, slots=True)
class EventView:
    """Everything the issue page shows of one event."""

    event_id: str
    message: str
    exceptions: list[ExceptionView]
    breadcrumbs: list[CrumbView]
    request: Pairs
    request_headers: Pairs
    user: Pairs
    tags: Pairs
    contexts: list[tuple[str, Pairs]]
    extra: Pairs
    sdk: Pairs
    raw_json: str


def event_view(body: dict[str, Any]) -> EventView:
    """The view of a canonical event body."""
    return EventView(
        event_id=str(body.get("event_id", "")),
        message=_message(body),
        exceptions=_exceptions(body),
        breadcrumbs=[_crumb(crumb) for crumb in _values(body.get("breadcrumbs"))],
        request=_request(body.get("request") or {}),
        request_headers=_pair_list((body.get("request") or {}).get("headers")),
        user=_mapping_pairs(body.get("user")),
        tags=sorted(_pair_list(body.get("tags"))),
        contexts=[(str(name), _mapping_pairs(value)) for name, value in sorted((body.get("contexts") or {}).items())],
        extra=_mapping_pairs(body.get("extra")),
        sdk=_mapping_pairs(body.get("sdk")),
        raw_json=orjson.dumps(body, option=orjson.OPT_INDENT_2).decode(),
    )


def display(value: Any) -> str:
    """A value as text: strings as they are, anything else as indented JSON."""
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def _message(body: dict[str, Any]) -> str:
    logentry = body.get("logentry") or {}
    return str(logentry.get("formatted") or logentry.get("message") or "")


def _exceptions(body: dict[str, Any]) -> list[ExceptionView]:
    raised_first = list(reversed(_values(body.get("exception"))))
    views = [_exception(value) for value in raised_first]
    if not views:
        stacktrace = body.get("stacktrace") or _crashed_thread_stacktrace(body)
        if stacktrace:
            views = [_exception({"stacktrace": stacktrace})]
    return _expand_first_in_app(views)


def _crashed_thread_stacktrace(body: dict[str, Any]) -> dict[str, Any] | None:
    threads = _values(body.get("threads"))
    chosen = next((t for t in threads if t.get("crashed")), None) or next(
        (t for t in threads if t.get("current")), None
    )
    return (chosen or {}).get("stacktrace")


def _exception(value: dict[str, Any]) -> ExceptionView:
    mechanism = value.get("mechanism") or {}
    handled = mechanism.get("handled")
    frames = (value.get("stacktrace") or {}).get("frames") or []
    return ExceptionView(
        type=str(value.get("type") or ""),
        value=str(value.get("value") or ""),
        module=str(value.get("module") or ""),
        mechanism=str(mechanism.get("type") or ""),
        handled=handled if isinstance(handled, bool) else None,
        frames=[_frame(frame) for frame in reversed(frames)],
    )


def _frame(frame: dict[str, Any]) -> FrameView:
    location = frame.get("filename") or frame.get("abs_path") or frame.get("module") or frame.get("package") or "?"
    line = frame.get("lineno") if isinstance(frame.get("lineno"), int) else None
    column = frame.get("colno") if isinstance(frame.get("colno"), int) else None
    return FrameView(
        location=str(location),
        function=str(frame.get("function") or frame.get("raw_function") or "?"),
        line=line,
        column=column,
        in_app=bool(frame.get("in_app")),
        context=_context(frame, line),
        variables=_mapping_pairs(frame.get("vars")),
        expanded=False,
    )


def _context(frame: dict[str, Any], line: int | None) -> list[ContextLine]:
    if frame.get("context_line") is None:
        return []
    before, after = frame.get("pre_context") or [], frame.get("post_context") or []
    first = line - len(before) if line is not None else None
    lines = [*before, frame["context_line"], *after]
    return [
        ContextLine(first + index if first is not None else None, str(text), index == len(before))
        for index, text in enumerate(lines)
    ]


def _expand_first_in_app(views: list[ExceptionView]) -> list[ExceptionView]:
    """Open the most recent in-app frame of the raised exception (or its most recent frame)."""
    if not views or not views[0].frames:
        return views
    frames = views[0].frames
    chosen = next((index for index, frame in enumerate(frames) if frame.in_app), 0)
    opened = [replace(frame, expanded=True) if index == chosen else frame for index, frame in enumerate(frames)]
    return [replace(views[0], frames=opened), *views[1:]]


def _crumb(crumb: dict[str, Any]) -> CrumbView:
    timestamp = crumb.get("timestamp")
    moment = datetime.fromtimestamp(timestamp, UTC) if isinstance(timestamp, int | float) else None
    data = crumb.get("data")
    return CrumbView(
        time=moment,
        type=str(crumb.get("type") or "default"),
        category=str(crumb.get("category") or ""),
        level=str(crumb.get("level") or "info"),
        message=str(crumb.get("message") or "") or _http_summary(crumb),
        data=display(data) if data else "",
    )


def _http_summary(crumb: dict[str, Any]) -> str:
    """`POST https://api.example.com/charge [402]` for an HTTP breadcrumb, which the SDKs send without a message."""
    data = crumb.get("data")
    if not isinstance(data, dict) or (crumb.get("type") != "http" and crumb.get("category") not in ("http", "httplib")):
        return ""
    parts = [str(data[key]) for key in ("method", "url") if data.get(key)]
    if data.get("status_code") is not None:
        parts.append(f"[{data['status_code']}]")
    return " ".join(parts)


def _request(request: dict[str, Any]) -> Pairs:
    pairs: Pairs = []
    for key in ("method", "url", "fragment"):
        if request.get(key):
            pairs.append((key, str(request[key])))
    for key in ("query_string", "cookies"):
        if request.get(key):
            pairs.append((key, "\n".join(f"{name}={value}" for name, value in _pair_list(request[key]))))
    for key in ("data", "env"):
        if request.get(key):
            pairs.append((key, display(request[key])))
    return pairs


def _values(container: Any) -> list[dict[str, Any]]:
    if not isinstance(container, dict):
        return []
    return [value for value in container.get("values") or [] if isinstance(value, dict)]


def _pair_list(value: Any) -> Pairs:
    if isinstance(value, dict):
        return _mapping_pairs(value)
    if not isinstance(value, list):
        return []
    return [(display(pair[0]), display(pair[1])) for pair in value if isinstance(pair, list | tuple) and len(pair) == 2]


def _mapping_pairs(value: Any) -> Pairs:
    if not isinstance(value, dict):
        return []
    return [(str(key), display(item)) for key, item in value.items()]

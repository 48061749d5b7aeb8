"""Events in Sentry's shapes (SimpleEventSerializer for lists, EventSerializer with `entries` for details),
built from the stored canonical event (docs/canonical-event.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from heron.api.shapes import iso, iso_from_epoch
from heron.store.models import Event

# What Sentry says about each kind of processing error it shows with an event.
ERROR_MESSAGES = {
    "invalid_data": "Discarded invalid value",
    "invalid_attribute": "Discarded unknown attribute",
    "missing_attribute": "Missing value for required attribute",
    "value_too_long": "Discarded value due to exceeding maximum length",
    "future_timestamp": "Invalid timestamp (in future)",
    "past_timestamp": "Invalid timestamp (too old)",
    "clock_drift": "Clock drift detected in SDK",
    "invalid_environment": "Environment cannot contain / or newlines",
}
_USER_FIELDS = ("id", "email", "username", "ip_address", "name", "geo", "data")


def event_list(events: Sequence[Event], bodies: Sequence[dict[str, Any]], *, full: bool) -> list[dict[str, Any]]:
    """Shapes of a list of events and their decoded bodies: Sentry's simple shape, or the full one with
    `full=true`."""
    return [event_shape(event, body, full=full) for event, body in zip(events, bodies, strict=True)]


def event_shape(event: Event, body: dict[str, Any], *, full: bool, detailed: bool = False) -> dict[str, Any]:
    """One event and its decoded body (heron.store.dictionaries.read_event_bodies). `full` adds entries,
    contexts, sdk and the rest; `detailed` adds the release too."""
    metadata = body.get("metadata") or {}
    shape: dict[str, Any] = {
        "id": event.event_id,
        "event.type": body.get("type", "default"),
        "groupID": str(event.issue_id),
        "eventID": event.event_id,
        "projectID": str(event.project_id),
        "message": _message(body),
        "title": body.get("title") or event.title,
        "location": metadata.get("filename"),
        "culprit": body.get("culprit"),
        "user": user_shape(body.get("user")),
        "tags": [{"key": key, "value": value} for key, value in sorted(body.get("tags") or [])],
        "platform": body.get("platform", "other"),
        "dateCreated": iso(event.timestamp),
        "crashFile": None,
        "metadata": metadata,
    }
    if not full:
        return shape
    shape.update(
        {
            "type": body.get("type", "default"),
            "size": len(event.body),
            "entries": entries(body),
            "dist": body.get("dist"),
            "contexts": body.get("contexts") or {},
            "sdk": body.get("sdk"),
            "context": body.get("extra") or {},
            "packages": body.get("modules") or {},
            "dateReceived": iso(event.received),
            "errors": [error_shape(error) for error in body.get("errors") or []],
            "fingerprints": body.get("hashes") or [],
            "groupingConfig": body.get("grouping_config"),
            "occurrence": None,
            "resolvedWith": [],
            "_meta": {},
        }
    )
    if detailed:
        shape["release"] = {"version": body["release"]} if body.get("release") else None
        shape["userReport"] = None
        shape["sdkUpdates"] = []
    return shape


def entries(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The event's interfaces as Sentry's `entries`, in Sentry's display order."""
    found: list[dict[str, Any]] = []
    exception = body.get("exception") or {}
    if exception.get("values"):
        values = [_exception_value(value) for value in exception["values"]]
        frames = [frame for value in exception["values"] for frame in _frames(value.get("stacktrace"))]
        found.append(
            {
                "type": "exception",
                "data": {"values": values, "hasSystemFrames": _has_system_frames(frames), "excOmitted": None},
            }
        )
    if body.get("stacktrace"):
        found.append({"type": "stacktrace", "data": stacktrace_shape(body["stacktrace"])})
    threads = body.get("threads") or {}
    if threads.get("values"):
        found.append({"type": "threads", "data": {"values": [_thread(thread) for thread in threads["values"]]}})
    if body.get("csp"):
        found.append({"type": "csp", "data": body["csp"]})
    breadcrumbs = body.get("breadcrumbs") or {}
    if breadcrumbs.get("values"):
        found.append({"type": "breadcrumbs", "data": {"values": [_breadcrumb(c) for c in breadcrumbs["values"]]}})
    if body.get("request"):
        found.append({"type": "request", "data": _request(body["request"])})
    logentry = body.get("logentry")
    if logentry:
        message = {
            "formatted": logentry.get("formatted") or logentry.get("message"),
            "message": logentry.get("message"),
            "params": logentry.get("params") or [],
        }
        found.append({"type": "message", "data": message})
    return found


def stacktrace_shape(stacktrace: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stack trace as Sentry shows it: frames in camelCase, oldest first."""
    if not stacktrace:
        return None
    frames = _frames(stacktrace)
    return {
        "frames": [_frame(frame) for frame in frames],
        "framesOmitted": None,
        "registers": stacktrace.get("registers"),
        "hasSystemFrames": _has_system_frames(frames),
    }


def user_shape(user: dict[str, Any] | None) -> dict[str, Any] | None:
    """Sentry's user interface shape: every field present, null when unknown."""
    if not user:
        return None
    return {field: user.get(field) for field in _USER_FIELDS}


def error_shape(error: dict[str, Any]) -> dict[str, Any]:
    """A processing error as Sentry's EventError shows it."""
    kind = str(error.get("type", "unknown_error"))
    data = {key: value for key, value in error.items() if key != "type"}
    return {"type": kind, "message": ERROR_MESSAGES.get(kind, kind.replace("_", " ").capitalize()), "data": data}


def _message(body: dict[str, Any]) -> str:
    logentry = body.get("logentry") or {}
    return str(logentry.get("formatted") or logentry.get("message") or "")


def _exception_value(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": value.get("type"),
        "value": value.get("value"),
        "module": value.get("module"),
        "mechanism": value.get("mechanism"),
        "threadId": value.get("thread_id"),
        "stacktrace": stacktrace_shape(value.get("stacktrace")),
        "rawStacktrace": None,
    }


def _thread(thread: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": thread.get("id"),
        "name": thread.get("name"),
        "crashed": bool(thread.get("crashed")),
        "current": bool(thread.get("current")),
        "main": thread.get("main"),
        "state": thread.get("state"),
        "stacktrace": stacktrace_shape(thread.get("stacktrace")),
        "rawStacktrace": None,
    }


def _frames(stacktrace: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((stacktrace or {}).get("frames") or [])


def _frame(frame: dict[str, Any]) -> dict[str, Any]:
    return {
        "filename": frame.get("filename"),
        "absPath": frame.get("abs_path"),
        "module": frame.get("module"),
        "package": frame.get("package"),
        "platform": frame.get("platform"),
        "instructionAddr": frame.get("instruction_addr"),
        "symbolAddr": frame.get("symbol_addr"),
        "function": frame.get("function"),
        "rawFunction": frame.get("raw_function"),
        "symbol": frame.get("symbol"),
        "context": _context_lines(frame),
        "lineNo": frame.get("lineno"),
        "colNo": frame.get("colno"),
        "inApp": bool(frame.get("in_app")),
        "trust": None,
        "errors": None,
        "lock": None,
        "vars": frame.get("vars"),
    }


def _context_lines(frame: dict[str, Any]) -> list[list[Any]]:
    """`[[lineno, line], …]` around the frame's line, as Sentry's frame `context`."""
    lineno = frame.get("lineno")
    if not isinstance(lineno, int) or frame.get("context_line") is None:
        return []
    before, after = frame.get("pre_context") or [], frame.get("post_context") or []
    lines = [*before, frame["context_line"], *after]
    first = lineno - len(before)
    return [[first + index, line] for index, line in enumerate(lines)]


def _has_system_frames(frames: list[dict[str, Any]]) -> bool:
    return any(frame.get("in_app") for frame in frames) and any(not frame.get("in_app") for frame in frames)


def _breadcrumb(crumb: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": crumb.get("type", "default"),
        "timestamp": iso_from_epoch(crumb.get("timestamp")),
        "level": crumb.get("level", "info"),
        "message": crumb.get("message"),
        "category": crumb.get("category"),
        "data": crumb.get("data"),
        "event_id": None,
    }


def _request(request: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": request.get("url"),
        "method": request.get("method"),
        "query": request.get("query_string") or [],
        "fragment": request.get("fragment"),
        "data": request.get("data"),
        "headers": request.get("headers") or [],
        "cookies": request.get("cookies") or [],
        "env": request.get("env") or {},
        "inferredContentType": None,
    }

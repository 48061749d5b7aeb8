"""Builders of canonical events (docs/canonical-event.md) for grouping tests."""

from __future__ import annotations

from typing import Any

from heron.grouping import compute_hashes

Event = dict[str, Any]
Frame = dict[str, Any]


def py_frame(
    function: str = "handler",
    context_line: str = "    return 1 / n",
    *,
    module: str = "app.views",
    in_app: bool = True,
    lineno: int = 10,
    **extra: Any,
) -> Frame:
    """A Python frame as sentry-python sends it."""
    return {
        "filename": module.replace(".", "/") + ".py",
        "abs_path": "/srv/" + module.replace(".", "/") + ".py",
        "module": module,
        "function": function,
        "lineno": lineno,
        "context_line": context_line,
        "in_app": in_app,
        **extra,
    }


def js_frame(
    function: str = "onClick",
    *,
    abs_path: str = "https://shop.example.com/static/js/main.4f3a.js",
    in_app: bool = True,
    lineno: int = 1,
    colno: int = 2345,
    **extra: Any,
) -> Frame:
    """A browser JavaScript frame as @sentry/browser sends it (no source context)."""
    return {
        "filename": abs_path,
        "abs_path": abs_path,
        "function": function,
        "lineno": lineno,
        "colno": colno,
        "in_app": in_app,
        **extra,
    }


def exception(
    exc_type: str | None = "ZeroDivisionError",
    value: str | None = "division by zero",
    frames: list[Frame] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One entry of ``exception.values``; ``frames=None`` means no stacktrace at all."""
    entry: dict[str, Any] = {"mechanism": {"type": "generic", "handled": True}, **extra}
    if exc_type is not None:
        entry["type"] = exc_type
    if value is not None:
        entry["value"] = value
    if frames is not None:
        entry["stacktrace"] = {"frames": frames}
    return entry


def error_event(*exceptions: dict[str, Any], platform: str = "python", **extra: Any) -> Event:
    """An error event with ``exceptions`` oldest first (the last one is the raised one)."""
    return {"type": "error", "platform": platform, "level": "error", "exception": {"values": list(exceptions)}, **extra}


def message_event(template: str, formatted: str | None = None, **extra: Any) -> Event:
    """A ``capture_message``/logging event."""
    logentry = {"message": template, "formatted": formatted or template, "params": []}
    return {"type": "default", "platform": "python", "level": "info", "logentry": logentry, **extra}


def hashes(event: Event) -> list[str]:
    """The event's group hashes under the default config."""
    return compute_hashes(event).hashes


def same_group(first: Event, second: Event) -> bool:
    """Whether the second event joins the first one's group (they share any hash)."""
    return bool(set(hashes(first)) & set(hashes(second)))

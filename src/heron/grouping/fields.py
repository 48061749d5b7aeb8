"""Defensive readers of canonical-event fields.

Normalization guarantees the canonical shape (docs/canonical-event.md), but grouping also runs over stored
events and must never raise, so every read checks the type it finds and treats anything else as absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

Obj = Mapping[str, Any]

EMPTY: Obj = MappingProxyType({})


def as_obj(value: Any) -> Obj:
    """``value`` if it is a mapping, else an empty one."""
    # Canonical events hold plain dicts: `type()` answers for them without the slower ABC check.
    return value if type(value) is dict or isinstance(value, Mapping) else EMPTY


def child(parent: Obj, key: str) -> Obj:
    """The mapping under ``key``, or an empty mapping."""
    return as_obj(parent.get(key))


def text(parent: Obj, key: str) -> str:
    """The string under ``key``, or ``""``."""
    value = parent.get(key)
    return value if isinstance(value, str) else ""


def objects(value: Any) -> list[Obj]:
    """The mappings in ``value`` when it is a list; anything else in it is skipped."""
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if type(item) is dict or isinstance(item, Mapping)]


def values_of(parent: Obj, key: str) -> list[Obj]:
    """The entries of a ``{"values": [...]}`` container such as ``exception`` or ``threads``."""
    return objects(child(parent, key).get("values"))


def has_stacktrace(container: Obj) -> bool:
    """Whether an event, exception or thread carries a stacktrace (possibly without frames)."""
    return isinstance(container.get("stacktrace"), Mapping)


def frames_of(container: Obj) -> list[Obj]:
    """The frames (oldest first) of the stacktrace of an event, exception or thread."""
    return objects(child(container, "stacktrace").get("frames"))


def is_in_app(frame: Obj) -> bool:
    """Whether the frame is application code; an absent flag means system code, as Sentry treats it."""
    return frame.get("in_app") is True


def is_synthetic(exception: Obj) -> bool:
    """Whether the SDK marked the exception's type as synthetic (made up from a signal or error code)."""
    return child(exception, "mechanism").get("synthetic") is True


def crash_frame(event: Obj, accept: Callable[[Obj], bool] | None = None) -> Obj | None:
    """The frame the event crashed in: the newest in-app frame, else the newest frame.

    Frames come from the raised exception's stacktrace, else the top-level stacktrace, else the only
    thread's (Sentry's ``get_crash_frame_from_event_data``). ``accept`` skips frames it rejects.
    """
    exceptions = values_of(event, "exception")
    frames = frames_of(exceptions[-1]) if exceptions else []
    if not frames:
        frames = frames_of(event)
    if not frames:
        threads = values_of(event, "threads")
        if len(threads) == 1:
            frames = frames_of(threads[0])
    fallback: Obj | None = None
    for frame in reversed(frames):
        if accept is not None and not accept(frame):
            continue
        if is_in_app(frame):
            return frame
        if fallback is None:
            fallback = frame
    return fallback


def tag_value(event: Obj, name: str) -> str | None:
    """The value of tag ``name`` (tags are ``[key, value]`` pairs; a legacy dict is accepted too)."""
    tags = event.get("tags")
    pairs = tags.items() if isinstance(tags, Mapping) else tags if isinstance(tags, list) else ()
    for pair in pairs:
        if isinstance(pair, list | tuple) and len(pair) == 2 and pair[0] == name and isinstance(pair[1], str):
            return pair[1]
    return None

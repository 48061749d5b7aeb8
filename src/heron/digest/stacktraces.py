"""Stack traces and their frames (Relay `Stacktrace`/`Frame`), shared by exceptions, threads and the
deprecated top-level `stacktrace`.
"""

from __future__ import annotations

from typing import Any

from heron.digest.fields import as_bool, as_dict, as_int, as_str, put
from heron.digest.trimming import (
    ENUMLIKE,
    MEDIUM_BAG,
    PATH,
    SYMBOL,
    StringLimit,
    limit_frames,
    slim_frames,
    trim_bag,
    trim_string,
)

# Frame strings and their Relay limits; `None` where Relay sets none.
_FRAME_STRINGS: dict[str, StringLimit | None] = {
    "filename": PATH,
    "abs_path": PATH,
    "module": None,
    "package": None,
    "function": SYMBOL,
    "raw_function": SYMBOL,
    "platform": ENUMLIKE,
}


def normalize_stacktrace(raw: Any) -> dict[str, Any] | None:
    """`{"frames": [...]}` with frames oldest → newest, at most 250, details slimmed beyond 50.

    `None` when there is no frame to keep.
    """
    stacktrace = as_dict(raw)
    if stacktrace is None:
        return None
    raw_frames = stacktrace.get("frames")
    if not isinstance(raw_frames, list):
        return None
    # Cut before normalizing: only the newest frames survive, so only they are worth the work.
    frames = [frame for frame in map(normalize_frame, limit_frames(raw_frames)) if frame is not None]
    if not frames:
        return None
    slim_frames(frames)
    return {"frames": frames}


def normalize_frame(raw: Any) -> dict[str, Any] | None:
    """One canonical frame: only the keys that were sent with the right type, strings trimmed.

    `None` for a frame that is not an object.
    """
    frame = as_dict(raw)
    if frame is None:
        return None
    normalized: dict[str, Any] = {}
    # The hottest loop of normalization (every frame of every event), hence spelled out.
    for key, limit in _FRAME_STRINGS.items():
        text = frame.get(key)
        if isinstance(text, str) and text:
            normalized[key] = trim_string(text, limit) if limit is not None else text
    for key in ("lineno", "colno"):
        put(normalized, key, as_int(frame.get(key)))
    # An empty context line is still a line of source: keep it.
    put(normalized, "context_line", as_str(frame.get("context_line")))
    for key in ("pre_context", "post_context"):
        put(normalized, key, _source_lines(frame.get(key)) or None)
    put(normalized, "in_app", as_bool(frame.get("in_app")))
    put(normalized, "vars", _frame_vars(frame.get("vars")) or None)
    return normalized


def _source_lines(raw: Any) -> list[str] | None:
    if not isinstance(raw, list):
        return None
    # A line that is not a string is unknown, not absent: keep its place so line numbers still align.
    return [line if isinstance(line, str) else "" for line in raw]


def _frame_vars(raw: Any) -> dict[str, Any] | None:
    # Relay accepts a list of locals and keys it by position.
    if isinstance(raw, list):
        raw = {str(index): value for index, value in enumerate(raw)}
    if not isinstance(raw, dict):
        return None
    trimmed = trim_bag(raw, MEDIUM_BAG)
    return trimmed if isinstance(trimmed, dict) else None

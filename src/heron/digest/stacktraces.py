"""Stack traces and their frames (Relay `Stacktrace`/`Frame`), shared by exceptions, threads and the
deprecated top-level `stacktrace`.
"""

from __future__ import annotations

from typing import Any

from heron.digest.fields import all_strings, as_dict, as_int, put
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

# Frame strings and their Relay limits (`None` where Relay sets none), in the order canonical frames list them.
_FRAME_STRINGS: tuple[tuple[str, StringLimit | None], ...] = (
    ("filename", PATH),
    ("abs_path", PATH),
    ("module", None),
    ("package", None),
    ("function", SYMBOL),
    ("raw_function", SYMBOL),
    ("platform", ENUMLIKE),
)
_SOURCE_CONTEXT = ("pre_context", "post_context")


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
    # The hottest function of normalization after `trim_bag` (every frame of every event), hence spelled out:
    # a value that is already canonical is copied without a helper call.
    normalized: dict[str, Any] = {}
    for key, limit in _FRAME_STRINGS:
        text = frame.get(key)
        if isinstance(text, str) and text:
            normalized[key] = text if limit is None or len(text) <= limit.limit else trim_string(text, limit)
    for key in ("lineno", "colno"):
        number = frame.get(key)
        if number is not None and (number := as_int(number)) is not None:
            normalized[key] = number
    # An empty context line is still a line of source: keep it.
    context_line = frame.get("context_line")
    if isinstance(context_line, str):
        normalized["context_line"] = context_line
    for key in _SOURCE_CONTEXT:
        lines = frame.get(key)
        if isinstance(lines, list) and lines:
            normalized[key] = _source_lines(lines)
    in_app = frame.get("in_app")
    if isinstance(in_app, bool):
        normalized["in_app"] = in_app
    put(normalized, "vars", _frame_vars(frame.get("vars")) or None)
    return normalized


def _source_lines(lines: list[Any]) -> list[str]:
    if all_strings(lines):
        return lines
    # A line that is not a string is unknown, not absent: keep its place so line numbers still align.
    return [line if isinstance(line, str) else "" for line in lines]


def _frame_vars(raw: Any) -> dict[str, Any] | None:
    # Relay accepts a list of locals and keys it by position.
    if isinstance(raw, list):
        raw = {str(index): value for index, value in enumerate(raw)}
    if not isinstance(raw, dict):
        return None
    trimmed = trim_bag(raw, MEDIUM_BAG)
    return trimmed if isinstance(trimmed, dict) else None

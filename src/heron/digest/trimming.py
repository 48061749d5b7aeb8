"""Size limits Relay puts on events: string lengths, data bags, stack frame counts.

The numbers are Relay's (`relay-event-schema` `MaxChars`/`BagSize`, `relay-event-normalization/trimming.rs`),
so an event Heron keeps is never larger than the one Sentry would have kept.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from heron.digest.fields import is_json_int, json_safe, to_json_text

ELLIPSIS = "..."


class StringLimit(NamedTuple):
    """A maximum length in characters, and the slack allowed before a string is cut back to it."""

    limit: int
    allowance: int = 0


class BagSize(NamedTuple):
    """A data bag's maximum JSON size in bytes and its maximum nesting depth."""

    max_bytes: int
    max_depth: int


MESSAGE = StringLimit(8192, 200)
SUMMARY = StringLimit(1024, 100)
SYMBOL = StringLimit(256, 20)
PATH = StringLimit(256, 40)
ENUMLIKE = StringLimit(128)
LOGGER = StringLimit(64)
EMAIL = StringLimit(75)
CULPRIT = StringLimit(200)
TRANSACTION = StringLimit(200)
RELEASE = StringLimit(200)
TAG_KEY = StringLimit(200)
TAG_VALUE = StringLimit(200)
ENVIRONMENT = StringLimit(64)
DISTRIBUTION = StringLimit(64)
SERVER_NAME = StringLimit(256, 20)
URL = StringLimit(256, 40)

SMALL_BAG = BagSize(1024, 3)
MEDIUM_BAG = BagSize(2048, 5)
LARGE_BAG = BagSize(8192, 7)
MASSIVE_BAG = BagSize(262_144, 7)

MAX_FRAMES = 250
FRAME_ALLOWANCE = 50

_DROPPED = object()


def trim_string(value: str, limit: StringLimit | int) -> str:
    """Cuts a string longer than its limit (plus allowance) back to exactly the limit, ending in `...`."""
    cut_to, allowance = (limit, 0) if isinstance(limit, int) else limit
    if len(value) <= cut_to + allowance:
        return value
    return value[: max(cut_to - len(ELLIPSIS), 0)] + ELLIPSIS


def trimmed_text(value: Any, limit: StringLimit) -> str | None:
    """A non-empty string value trimmed to `limit`; `None` for anything else (so the field stays absent)."""
    if isinstance(value, str) and value:
        return trim_string(value, limit)
    return None


def trim_bag(value: Any, bag: BagSize) -> Any:
    """Limits a free-form JSON value ("data bag") to a size and a depth, like Relay's trimming processor.

    Containers found at the last allowed level are replaced by their JSON text; once the size budget is
    spent, the remaining keys and items are cut and strings are shortened to what is left. Size is counted
    roughly as JSON text: each scalar's length, each key's length, and one byte of punctuation per item.
    Values that are not JSON (non-string keys, arbitrary objects) are dropped. Returns a new value.
    """
    remaining = bag.max_bytes

    def visit(item: Any, depth: int) -> Any:
        nonlocal remaining
        if remaining <= 0:
            return _DROPPED
        if isinstance(item, (dict, list)) and depth > 0 and depth >= bag.max_depth - 1:
            item = to_json_text(item)
        if isinstance(item, str):
            item = trim_string(item, remaining)
            remaining -= len(item) + 3
            return item
        if isinstance(item, dict):
            trimmed: dict[str, Any] = {}
            for key, child in item.items():
                if remaining <= 0:
                    break
                if not isinstance(key, str):
                    continue
                remaining -= len(key) + 3
                kept = visit(child, depth + 1)
                if kept is not _DROPPED:
                    trimmed[key] = kept
            remaining -= 3
            return trimmed
        if isinstance(item, list):
            items: list[Any] = []
            for child in item:
                if remaining <= 0:
                    break
                kept = visit(child, depth + 1)
                if kept is not _DROPPED:
                    items.append(kept)
            remaining -= 3
            return items
        if item is None or isinstance(item, bool):
            remaining -= 6
            return item
        if isinstance(item, int) and not is_json_int(item):
            item = json_safe(item)
        if isinstance(item, (int, float)):
            remaining -= len(repr(item)) + 1
            return item
        return _DROPPED

    kept = visit(value, 0)
    return None if kept is _DROPPED else kept


def limit_frames(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keeps the newest `MAX_FRAMES` frames (the last ones: frames are ordered oldest to newest)."""
    return frames[-MAX_FRAMES:] if len(frames) > MAX_FRAMES else frames


def slim_frames(frames: list[dict[str, Any]]) -> None:
    """Strips `vars`, `pre_context` and `post_context` from middle frames beyond `FRAME_ALLOWANCE` (in place).

    Relay's (and Sentry's) `slim_frame_data`: the frames nearest both ends keep their details, system frames
    are slimmed before in-app frames.
    """
    if len(frames) <= FRAME_ALLOWANCE:
        return
    app = [index for index, frame in enumerate(frames) if frame.get("in_app") is True]
    system = [index for index, frame in enumerate(frames) if frame.get("in_app") is not True]

    system_half = max(FRAME_ALLOWANCE - len(app), 0) // 2
    system_slimmed = _middle(system, system_half)
    still_over = max(len(frames) - FRAME_ALLOWANCE - len(system_slimmed), 0)
    app_half = max(len(app) - still_over, 0) // 2
    for index in system_slimmed + _middle(app, app_half):
        for key in ("vars", "pre_context", "post_context"):
            frames[index].pop(key, None)


def _middle(indices: list[int], keep_each_end: int) -> list[int]:
    end = len(indices) - keep_each_end
    return indices[keep_each_end:end] if end > keep_each_end else []

"""Size limits Relay puts on events: string lengths, data bags, stack frame counts.

The numbers are Relay's (`relay-event-schema` `MaxChars`/`BagSize`, `relay-event-normalization/trimming.rs`),
so an event Heron keeps is never larger than the one Sentry would have kept.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

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
        return value if len(value) <= limit.limit else trim_string(value, limit)
    return None


def trim_bag(value: Any, bag: BagSize) -> Any:
    """Limits a free-form JSON value ("data bag") to a size and a depth, like Relay's trimming processor.

    Containers found at the last allowed level are replaced by their JSON text; once the size budget is
    spent, the remaining keys and items are cut and strings are shortened to what is left. Size is counted
    roughly as JSON text: each scalar's length, each key's length, and one byte of punctuation per item.
    Values that are not JSON (non-string keys, arbitrary objects) are dropped.

    A bag these rules leave as it is comes back as the same object; anything else is a new value. Callers
    copy a result before changing it, so that an event never changes the payload it came from.
    """
    if value is None or _within_limits(value, bag):
        return value
    kept, _ = _trim_value(value, 0, bag.max_bytes, bag.max_depth - 1)
    return None if kept is _DROPPED else kept


# Every frame's locals, every breadcrumb's data and most request parts are bags, so `trim_bag` is the hottest
# code of the digest; and most bags are far below their limits. Proving that costs a walk that only looks at
# types, plus orjson's (compiled) serialization for the size:
#
# The budget a bag spends is at most 1.5 times its compact JSON length, plus 1. Per value, the budget counts
# a string's characters plus 3, a key's plus 3, a number's `repr` plus 1, 6 for null and booleans and 3 for
# a container. JSON spends at least a string's characters plus 2 (quotes), a key's plus 3 (quotes and colon),
# a number's digits (`repr` is at most one character longer: `1e-07` for `1e-7`), 4 or 5 for null and
# booleans, 2 for a container, and a comma between items. Summed up, the budget exceeds the JSON length by
# at most one per null, true, float or non-empty container, plus one, and each of those has at least two
# bytes of JSON of its own. So a bag below that bound never runs out of budget, and nothing in it is cut.
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _within_limits(value: Any, bag: BagSize) -> bool:
    """Whether the rules leave `value` as it is: an object or array of plain JSON values (subclasses would
    be converted), no container at the depth that becomes text, and a JSON length whose budget count cannot
    reach `bag.max_bytes`."""
    if type(value) is not dict and type(value) is not list:
        return False
    if not _plain_json(value, bag.max_depth - 1, 1):
        return False
    try:
        size = len(orjson.dumps(value))
    except orjson.JSONEncodeError:  # keys that are not strings, integers beyond 64 bits, lone surrogates
        return False
    return 3 * size + 2 < 2 * bag.max_bytes


def _plain_json(container: dict[Any, Any] | list[Any], flat_depth: int, child_depth: int) -> bool:
    """Whether a dict's values or a list's items are JSON types exactly, with no container at `flat_depth`."""
    for child in container.values() if type(container) is dict else container:
        kind = type(child)
        if kind is str:
            continue
        if kind is dict or kind is list:
            if child_depth >= flat_depth or not _plain_json(child, flat_depth, child_depth + 1):
                return False
        elif kind not in _JSON_SCALARS:
            return False
    return True


# When a bag has to change, `_trim_value` spells out the rules for any value. The container loops take two
# shortcuts with the same outcome: a string that fits the budget left is kept without a call (most values
# of SDK bags are strings: the Python SDK sends every local variable as its repr), and an object or array
# above `flat_depth` is walked without the dispatch. `remaining` is the budget left, passed in and handed back.


def _trim_value(item: Any, depth: int, remaining: int, flat_depth: int) -> tuple[Any, int]:
    """One value trimmed to the budget left: `(kept value or _DROPPED, budget left)`.

    A container at `flat_depth` or deeper (never the bag itself) becomes its JSON text.
    """
    if remaining <= 0:
        return _DROPPED, remaining
    if isinstance(item, (dict, list)) and depth > 0 and depth >= flat_depth:
        item = to_json_text(item)
    if isinstance(item, str):
        item = trim_string(item, remaining)
        return item, remaining - len(item) - 3
    if isinstance(item, dict):
        return _trim_dict(item, depth, remaining, flat_depth)
    if isinstance(item, list):
        return _trim_list(item, depth, remaining, flat_depth)
    if item is None or isinstance(item, bool):
        return item, remaining - 6
    if isinstance(item, int) and not is_json_int(item):
        item = json_safe(item)
    if isinstance(item, (int, float)):
        return item, remaining - len(repr(item)) - 1
    return _DROPPED, remaining


def _trim_dict(item: dict[Any, Any], depth: int, remaining: int, flat_depth: int) -> tuple[dict[str, Any], int]:
    trimmed: dict[str, Any] = {}
    child_depth = depth + 1
    for key, child in item.items():
        if type(child) is str and type(key) is str and (size := len(key) + len(child) + 6) < remaining:
            remaining -= size
            trimmed[key] = child
            continue
        if remaining <= 0:
            break
        if not isinstance(key, str):
            continue
        remaining -= len(key) + 3
        kind = type(child)
        if kind is dict and child_depth < flat_depth and remaining > 0:
            trimmed[key], remaining = _trim_dict(child, child_depth, remaining, flat_depth)
        elif kind is list and child_depth < flat_depth and remaining > 0:
            trimmed[key], remaining = _trim_list(child, child_depth, remaining, flat_depth)
        else:
            kept, remaining = _trim_value(child, child_depth, remaining, flat_depth)
            if kept is not _DROPPED:
                trimmed[key] = kept
    return trimmed, remaining - 3


def _trim_list(item: list[Any], depth: int, remaining: int, flat_depth: int) -> tuple[list[Any], int]:
    trimmed: list[Any] = []
    kept: Any
    child_depth = depth + 1
    for child in item:
        if type(child) is str and (size := len(child) + 3) < remaining:
            remaining -= size
            trimmed.append(child)
            continue
        if remaining <= 0:
            break
        kind = type(child)
        if kind is dict and child_depth < flat_depth:
            kept, remaining = _trim_dict(child, child_depth, remaining, flat_depth)
        elif kind is list and child_depth < flat_depth:
            kept, remaining = _trim_list(child, child_depth, remaining, flat_depth)
        else:
            kept, remaining = _trim_value(child, child_depth, remaining, flat_depth)
        if kept is not _DROPPED:
            trimmed.append(kept)
    return trimmed, remaining - 3


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

from __future__ import annotations

from typing import Any

import orjson
import pytest

from heron.digest.trimming import (
    MASSIVE_BAG,
    MEDIUM_BAG,
    MESSAGE,
    BagSize,
    StringLimit,
    limit_frames,
    slim_frames,
    trim_bag,
    trim_string,
)


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("short", StringLimit(20), "short"),
        ("x" * 20, StringLimit(20), "x" * 20),
        ("This is my long string I want to have trimmed!", StringLimit(20), "This is my long s..."),
        ("x" * 210, StringLimit(200, 20), "x" * 210),
        ("x" * 221, StringLimit(200, 20), "x" * 197 + "..."),
        ("abcdef", 2, "..."),
    ],
)
def test_trim_string_cuts_back_to_the_limit_only_past_the_allowance(value: str, limit: Any, expected: str) -> None:
    assert trim_string(value, limit) == expected


def test_trimmed_message_is_exactly_the_limit_long() -> None:
    trimmed = trim_string("y" * 10_000, MESSAGE)
    assert len(trimmed) == MESSAGE.limit
    assert trimmed.endswith("...")


def _nested(depth: int) -> Any:
    value: Any = "max depth"
    for level in range(1, depth + 1):
        value = {f"key{level}": value}
    return value


def test_bags_stringify_containers_at_their_last_level_like_relay() -> None:
    # Relay's own test (trimming.rs `test_databag_stripping`): extra has depth 7.
    extra = {"key_1": "value 1", "key_2": _nested(8), "key_3": _nested(5)}
    trimmed = trim_bag(extra, MASSIVE_BAG)
    assert trimmed["key_1"] == "value 1"
    assert trimmed["key_3"] == _nested(5)
    level6 = trimmed["key_2"]["key8"]["key7"]["key6"]["key5"]
    assert level6 == {"key4": '{"key3":{"key2":{"key1":"max depth"}}}'}


def test_bags_cut_remaining_items_once_the_size_is_spent() -> None:
    bag = {f"k{index}": "v" * 100 for index in range(100)}
    trimmed = trim_bag(bag, MEDIUM_BAG)
    assert 10 < len(trimmed) < 20
    assert list(trimmed) == [f"k{index}" for index in range(len(trimmed))]
    assert len(orjson.dumps(trimmed)) <= MEDIUM_BAG.max_bytes + 200


def test_bags_shorten_the_string_that_crosses_the_limit() -> None:
    trimmed = trim_bag({"a": "x" * 5000}, BagSize(1000, 5))
    assert trimmed["a"].endswith("...")
    assert len(trimmed["a"]) < 1000


def test_bag_lists_are_cut_too() -> None:
    trimmed = trim_bag(list(range(10_000)), BagSize(1000, 5))
    assert trimmed == list(range(len(trimmed)))
    assert 100 < len(trimmed) < 400


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"big": 2**70}, {"big": float(2**70)}),
        ({"ok": [1, 2.5, None, True, "s"]}, {"ok": [1, 2.5, None, True, "s"]}),
        ({"weird": {1, 2}, "kept": 1}, {"kept": 1}),
    ],
)
def test_bags_keep_only_what_json_can_hold(value: Any, expected: Any) -> None:
    trimmed = trim_bag(value, MASSIVE_BAG)
    assert trimmed == expected
    orjson.dumps(trimmed)


def test_bag_of_nothing_is_nothing() -> None:
    assert trim_bag(None, MEDIUM_BAG) is None


def _frames(count: int, in_app: bool | None = None) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    for index in range(count):
        frame: dict[str, Any] = {"function": f"f{index}", "vars": {"i": index}, "pre_context": ["a"]}
        if in_app is not None:
            frame["in_app"] = in_app
        frames.append(frame)
    return frames


def test_limit_frames_keeps_the_newest_250() -> None:
    frames = _frames(300)
    kept = limit_frames(frames)
    assert len(kept) == 250
    assert kept[0]["function"] == "f50"
    assert kept[-1]["function"] == "f299"


def test_slim_frames_leaves_small_stacks_alone() -> None:
    frames = _frames(50)
    slim_frames(frames)
    assert all("vars" in frame for frame in frames)


def test_slim_frames_strips_the_middle_system_frames_first() -> None:
    frames = _frames(40, in_app=False) + _frames(20, in_app=True) + _frames(40, in_app=False)
    slim_frames(frames)
    stripped = [index for index, frame in enumerate(frames) if "vars" not in frame]
    # 30 system frames keep their details at each end (15 + 15), all app frames keep theirs.
    assert stripped == [*range(15, 40), *range(60, 85)]
    assert all("pre_context" not in frames[index] for index in stripped)
    assert all("function" in frame for frame in frames)


def test_slim_frames_strips_middle_app_frames_when_system_frames_are_not_enough() -> None:
    frames = _frames(100, in_app=True)
    slim_frames(frames)
    kept = [index for index, frame in enumerate(frames) if "vars" in frame]
    assert kept == [*range(25), *range(75, 100)]

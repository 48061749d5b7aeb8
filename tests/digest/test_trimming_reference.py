"""`trim_bag` keeps exactly what the straightforward implementation it replaced kept.

`reference_trim_bag` is that implementation, kept as the specification: one visit per value, no shortcuts.
The fast `trim_bag` may return the bag itself where nothing changes, so results are compared by value and by
the exact type of every part, and the input must come out untouched.
"""

from __future__ import annotations

import copy
import enum
import math
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.digest.fields import is_json_int, json_safe, to_json_text
from heron.digest.trimming import LARGE_BAG, MASSIVE_BAG, MEDIUM_BAG, SMALL_BAG, BagSize, trim_bag, trim_string

_DROPPED = object()


def reference_trim_bag(value: Any, bag: BagSize) -> Any:
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


class Name(str):
    """A str subclass, as a Python caller might pass."""


class Level(enum.IntEnum):
    WARNING = 30


def typed(value: Any) -> Any:
    """The value with the exact type of every part spelled out (and NaN made comparable)."""
    if isinstance(value, dict):
        return (type(value), [(typed(key), typed(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value), [typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return (float, "nan")
    return (type(value), value)


texts = st.text(max_size=40) | st.sampled_from(["", "x" * 300, "é€😀" * 30, "\ud800 lone", '\n\t"\\'])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | texts
    | st.builds(Name, texts)
    | st.just(Level.WARNING)
    | st.just((1, 2))
    | st.just({1, 2})
    | st.just(b"bytes")
)
keys = texts | st.builds(Name, texts) | st.integers(0, 3) | st.none()
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(keys, children, max_size=6)
        | st.dictionaries(texts, children, max_size=4).map(OrderedDict)
    ),
    max_leaves=40,
)
# Plain JSON, as parsed from a payload: what the fast path takes, nested to every depth the rules care about.
plain_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
plain_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | plain_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(plain_text, children, max_size=4),
    max_leaves=25,
)
bags = st.builds(BagSize, st.integers(0, 400), st.integers(0, 8)) | st.sampled_from(
    [SMALL_BAG, MEDIUM_BAG, LARGE_BAG, MASSIVE_BAG]
)


@settings(max_examples=400, deadline=None)
@given(values, bags)
def test_trim_bag_keeps_what_the_reference_keeps(value: Any, bag: BagSize) -> None:
    before = typed(copy.deepcopy(value))
    assert typed(trim_bag(value, bag)) == typed(reference_trim_bag(value, bag))
    assert typed(value) == before


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(texts, texts | st.lists(texts, max_size=10), max_size=12), min_size=1, max_size=8))
def test_sdk_shaped_bags_near_their_limits_trim_like_the_reference(frames_vars: list[dict[str, Any]]) -> None:
    # Frame locals as the Python SDK sends them (strings, lists of strings), against budgets around their size.
    for bag_vars in frames_vars:
        for max_bytes in (len(to_json_text(bag_vars)) * factor // 4 for factor in range(1, 9)):
            bag = BagSize(max_bytes, 5)
            assert typed(trim_bag(bag_vars, bag)) == typed(reference_trim_bag(bag_vars, bag))


@settings(max_examples=400, deadline=None)
@given(plain_values, st.integers(0, 8), st.integers(50, 250))
def test_plain_json_at_every_depth_and_budget_trims_like_the_reference(value: Any, depth: int, percent: int) -> None:
    # Budgets from half to two and a half times the JSON length: around where the size bound decides.
    bag = BagSize(len(to_json_text(value)) * percent // 100, depth)
    assert typed(trim_bag(value, bag)) == typed(reference_trim_bag(value, bag))


@pytest.mark.parametrize("token", [None, True, False, 0, 1.5, 1e-07, 1e16, "", "é", [], {}, [None], {"": None}])
def test_runs_of_small_tokens_trim_like_the_reference_at_every_budget(token: Any) -> None:
    # Small tokens are where the budget count exceeds the JSON length most: every budget around it is tried.
    for count in (1, 7, 60):
        for bag_value in ([token] * count, {f"k{index}": token for index in range(count)}):
            size = len(to_json_text(bag_value))
            for max_bytes in range(size * 9 // 10, size * 16 // 10 + 8):
                bag = BagSize(max_bytes, 4)
                assert typed(trim_bag(bag_value, bag)) == typed(reference_trim_bag(bag_value, bag)), max_bytes

from __future__ import annotations

from typing import Any

import pytest

from heron.protocol.envelope import Envelope, Item
from heron.protocol.errors import PayloadTooLarge
from heron.protocol.limits import (
    EVENT_ITEM_TYPES,
    ITEM_CATEGORIES,
    ItemLimits,
    KiB,
    MiB,
    check_envelope_limits,
    item_category,
)

LIMITS = ItemLimits()
LOG_CONTAINER = "application/vnd.sentry.items.log+json"


def item(item_type: str, size: int, **headers: Any) -> Item:
    # bytes(n) is calloc'ed: the large payloads below cost no resident memory until read.
    return Item(headers={"type": item_type, **headers}, payload=bytes(size))


def envelope(*items: Item) -> Envelope:
    return Envelope(headers={}, items=list(items))


def refusal(*items: Item, limits: ItemLimits = LIMITS) -> str:
    with pytest.raises(PayloadTooLarge) as caught:
        check_envelope_limits(envelope(*items), limits)
    return caught.value.detail


def test_defaults_are_the_published_sentry_limits() -> None:
    assert (LIMITS.max_event_size, LIMITS.max_attachment_size, LIMITS.max_attachments_size) == (
        1 * MiB,
        100 * MiB,
        100 * MiB,
    )
    assert (LIMITS.max_session_count, LIMITS.max_client_reports_size, LIMITS.max_check_in_size) == (
        100,
        4 * KiB,
        100 * KiB,
    )
    assert (LIMITS.max_profile_size, LIMITS.max_replay_compressed_size) == (50 * MiB, 10 * MiB)
    assert (LIMITS.max_log_size, LIMITS.max_span_size, LIMITS.max_trace_metric_size) == (MiB, MiB, MiB)


def test_event_over_its_limit_is_refused_with_relays_message() -> None:
    assert refusal(item("event", MiB + 1)) == (
        "envelope exceeded size limits for type 'event' (https://develop.sentry.dev/sdk/envelopes/#size-limits)"
    )


@pytest.mark.parametrize(
    "items",
    [
        [item("event", MiB)],
        [item("transaction", MiB), item("attachment", 5 * MiB, filename="a"), item("client_report", 4 * KiB)],
        [item("replay_event", 1000), item("replay_recording", 10 * MiB)],
        [item("session", 100) for _ in range(100)],
        [item("check_in", 100 * KiB)],
        [item("profile", 50 * MiB)],
        [item("log", 5 * MiB, content_type=LOG_CONTAINER, item_count=10)],
        [item("span", 900 * KiB), item("span", 900 * KiB)],
        [item("some_future_type", 500 * MiB), item("some_future_type", 500 * MiB)],
    ],
)
def test_envelopes_within_limits_pass(items: list[Item]) -> None:
    check_envelope_limits(envelope(*items), LIMITS)


@pytest.mark.parametrize(
    ("items", "named_type"),
    [
        # At most one event-like item per envelope, whatever their sizes.
        ([item("event", 10), item("event", 10)], "event"),
        ([item("event", 10), item("transaction", 10)], "transaction"),
        ([item("transaction", 10), item("feedback", 10)], "feedback"),
        ([item("security", 10), item("form_data", 10)], "form_data"),
        ([item("attachment", 100 * MiB + 1)], "attachment"),
        ([item("attachment", 60 * MiB), item("attachment", 60 * MiB)], "attachment"),
        ([item("attachment", 1) for _ in range(31)], "attachment"),
        ([item("session", 10) for _ in range(101)], "session"),
        ([item("client_report", 4 * KiB + 1)], "client_report"),
        ([item("check_in", 100 * KiB + 1)], "check_in"),
        ([item("check_in", 10), item("check_in", 10)], "check_in"),
        ([item("profile", 50 * MiB + 1)], "profile"),
        ([item("replay_recording", 10 * MiB + 1)], "replay_recording"),
        # A container is judged by its average item size, and without item_count it counts as one.
        ([item("log", 5 * MiB, content_type=LOG_CONTAINER)], "log"),
        ([item("log", 5 * MiB, content_type=LOG_CONTAINER, item_count=True)], "log"),
        ([item("log", 20 * MiB, content_type=LOG_CONTAINER, item_count=1000)], "log"),
        ([item("span", MiB + 1)], "span"),
        ([item("trace_metric", MiB + 1)], "trace_metric"),
    ],
)
def test_envelopes_over_a_limit_name_the_offending_type(items: list[Item], named_type: str) -> None:
    assert f"for type '{named_type}'" in refusal(*items)


def test_limits_are_configurable() -> None:
    assert "'event'" in refusal(item("event", 11), limits=ItemLimits(max_event_size=10))


@pytest.mark.parametrize(
    ("item_type", "category"),
    [
        ("event", "error"),
        ("transaction", "transaction"),
        ("attachment", "attachment"),
        ("session", "session"),
        ("sessions", "session"),
        ("client_report", "internal"),
        ("check_in", "monitor"),
        ("log", "log_item"),
        ("span", "span"),
        ("trace_metric", "trace_metric"),
        ("profile", "profile"),
        ("profile_chunk", "profile_chunk"),
        ("feedback", "feedback"),
        ("user_report", "feedback"),
        ("replay_event", "replay"),
        ("replay_recording", "replay"),
        ("some_future_type", "default"),
    ],
)
def test_item_category_uses_relay_category_names(item_type: str, category: str) -> None:
    assert item_category(item(item_type, 1)) == category


def test_ui_profile_chunks_have_their_own_category() -> None:
    assert item_category(item("profile_chunk", 1, platform="javascript")) == "profile_chunk_ui"
    assert item_category(item("profile_chunk", 1, platform="python")) == "profile_chunk"


def test_every_category_is_a_relay_data_category() -> None:
    relay_categories = {
        "error", "transaction", "security", "attachment", "session", "internal", "monitor", "profile",
        "profile_chunk", "profile_chunk_ui", "log_item", "trace_metric", "span", "feedback", "replay",
        "metric_bucket",
    }  # fmt: skip
    assert set(ITEM_CATEGORIES.values()) <= relay_categories


def test_event_item_types_are_the_ones_relay_counts_as_events() -> None:
    assert {"event", "transaction", "security", "replay_event", "feedback", "form_data"} <= EVENT_ITEM_TYPES
    assert "attachment" not in EVENT_ITEM_TYPES

"""Per-item size limits and rate-limit data categories, as Relay applies them (PROTOCOL §2.4, §3.2).

Relay sorts each item into a bucket with a per-item size, a per-envelope count and a per-envelope total
size (`relay-server/src/utils/sizes.rs`); the first item that breaks its bucket fails the whole envelope
with 413. Event-like items share one bucket of count 1, which is how "at most one event per envelope" is
enforced. Unknown item types are skipped here, as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from heron.protocol.envelope import Envelope, Item
from heron.protocol.errors import PayloadTooLarge

KiB = 1024
MiB = 1024 * KiB

EVENT_ITEM_TYPES = frozenset(
    {"event", "transaction", "security", "raw_security", "replay_event", "feedback", "form_data"}
)

# Item type -> the data category that rate limits, quotas and client reports use (Relay names).
ITEM_CATEGORIES: dict[str, str] = {
    "event": "error",
    "transaction": "transaction",
    "security": "security",
    "raw_security": "security",
    "unreal_report": "error",
    "attachment": "attachment",
    "session": "session",
    "sessions": "session",
    "client_report": "internal",
    "check_in": "monitor",
    "profile": "profile",
    "profile_chunk": "profile_chunk",
    "profile_chunk_ui": "profile_chunk_ui",
    "log": "log_item",
    "trace_metric": "trace_metric",
    "span": "span",
    "feedback": "feedback",
    "user_report": "feedback",
    "user_feedback": "feedback",
    "replay_event": "replay",
    "replay_recording": "replay",
    "replay_video": "replay",
    "statsd": "metric_bucket",
    "metric_buckets": "metric_bucket",
}

# Platforms whose continuous-profiling chunks Relay counts as UI profiling (`ProfileType::from_platform`).
_UI_PROFILE_PLATFORMS = frozenset({"cocoa", "android", "javascript"})
# Content types of container items, whose payload holds `item_count` logs/spans/metrics.
_CONTAINER_CONTENT_TYPE_PREFIX = "application/vnd.sentry.items."


@dataclass(frozen=True, slots=True)
class ItemLimits:
    """Size limits in bytes and counts per envelope.

    Defaults are Sentry's published limits (PROTOCOL §3.2); limits the published list does not mention
    (attachment, client report and standalone span counts, container and session totals) take Relay's
    current defaults.
    """

    max_event_size: int = 1 * MiB
    max_attachment_size: int = 100 * MiB
    max_attachments_size: int = 100 * MiB
    max_attachment_count: int = 30
    max_session_count: int = 100
    max_sessions_size: int = 10 * MiB
    max_client_reports_size: int = 4 * KiB
    max_client_reports_count: int = 100
    max_check_in_size: int = 100 * KiB
    max_profile_size: int = 50 * MiB
    max_replay_compressed_size: int = 10 * MiB
    max_log_size: int = 1 * MiB
    max_span_size: int = 1 * MiB
    max_trace_metric_size: int = 1 * MiB
    max_container_size: int = 12 * MiB
    max_standalone_span_count: int = 25
    max_statsd_size: int = 1 * MiB


@dataclass(slots=True)
class _Bucket:
    """What is left of one limit while the items of an envelope are counted against it."""

    item_size: int
    count: int
    total_size: int


def item_category(item: Item) -> str:
    """The rate-limit data category of `item` (`default` for unknown types)."""
    if item.type == "profile_chunk" and item.headers.get("platform") in _UI_PROFILE_PLATFORMS:
        return "profile_chunk_ui"
    return ITEM_CATEGORIES.get(item.type, "default")


def check_envelope_limits(envelope: Envelope, limits: ItemLimits) -> None:
    """Raise PayloadTooLarge, naming the item type, for the first item over its size or count limit."""
    sizes = _bucket_sizes(limits)
    buckets: dict[str, _Bucket] = {}  # only those of the envelope's items: most envelopes hold one item
    for item in envelope.items:
        bucket_name = _bucket_name(item)
        if bucket_name is None:
            continue
        bucket = buckets.get(bucket_name)
        if bucket is None:
            bucket = buckets[bucket_name] = _Bucket(*sizes[bucket_name])
        if _counted_size(item) > bucket.item_size or bucket.count < 1 or len(item.payload) > bucket.total_size:
            raise PayloadTooLarge(
                f"envelope exceeded size limits for type '{item.type}' "
                "(https://develop.sentry.dev/sdk/envelopes/#size-limits)"
            )
        bucket.count -= 1
        bucket.total_size -= len(item.payload)


@lru_cache(maxsize=16)
def _bucket_sizes(limits: ItemLimits) -> dict[str, tuple[int, int, int]]:
    """Each bucket's item size, count and total size for `limits` (a handful of settings: remembered)."""
    event = limits.max_event_size
    replay = limits.max_replay_compressed_size
    container = limits.max_container_size
    return {
        "event": (event, 1, event),
        "attachment": (limits.max_attachment_size, limits.max_attachment_count, limits.max_attachments_size),
        "replay_recording": (replay, 1, replay),
        "replay_video": (replay, 1, replay),
        "session": (limits.max_sessions_size, limits.max_session_count, limits.max_sessions_size),
        "client_report": (
            limits.max_client_reports_size,
            limits.max_client_reports_count,
            limits.max_client_reports_size,
        ),
        "profile": (limits.max_profile_size, 1, limits.max_profile_size),
        "check_in": (limits.max_check_in_size, 1, limits.max_check_in_size),
        "statsd": (limits.max_statsd_size, 1, limits.max_statsd_size),
        "log": (limits.max_log_size, 1, container),
        "trace_metric": (limits.max_trace_metric_size, 1, container),
        "span": (limits.max_span_size, 1, container),
        "span_standalone": (limits.max_span_size, limits.max_standalone_span_count, container),
        "integration": (container, 1, container),
    }


# Item type -> bucket, for the types whose bucket does not depend on the item's headers.
_BUCKET_OF_TYPE: dict[str, str] = {
    **dict.fromkeys(EVENT_ITEM_TYPES, "event"),
    **dict.fromkeys(("attachment", "unreal_report", "user_report", "user_feedback"), "attachment"),
    **dict.fromkeys(("session", "sessions"), "session"),
    **dict.fromkeys(("profile", "profile_chunk", "profile_chunk_ui"), "profile"),
    **dict.fromkeys(("statsd", "metric_buckets"), "statsd"),
    **{name: name for name in ("replay_recording", "replay_video", "client_report", "check_in")},
    **{name: name for name in ("log", "trace_metric", "integration")},
}


def _bucket_name(item: Item) -> str | None:
    if item.type == "span":
        # Span v2 containers carry many spans; v1 standalone spans (JS web vitals) come one per item.
        return "span" if _is_container(item) else "span_standalone"
    return _BUCKET_OF_TYPE.get(item.type)


def _counted_size(item: Item) -> int:
    """The size compared with the per-item limit: a container's average per contained item."""
    if not _is_container(item):
        return len(item.payload)
    item_count = item.headers.get("item_count")
    if isinstance(item_count, bool) or not isinstance(item_count, int) or item_count < 1:
        item_count = 1
    return len(item.payload) // item_count


def _is_container(item: Item) -> bool:
    content_type = item.headers.get("content_type")
    return isinstance(content_type, str) and content_type.startswith(_CONTAINER_CONTENT_TYPE_PREFIX)

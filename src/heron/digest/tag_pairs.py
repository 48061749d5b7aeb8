"""The tags an SDK sent, repaired the way Relay does (`Tags`/`TagEntry`, `event.rs: normalize_event_tags`).

The tags Heron derives from the event (level, browser, user...) are added later, by `heron.digest.tags`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from heron.digest.fields import Errors, lenient_string, pairs_of, record_error
from heron.digest.trimming import TAG_KEY, TAG_VALUE

# Set by Sentry itself from the event; a client sending them would be ambiguous.
RESERVED_TAG_KEYS = frozenset({"release", "dist", "user", "filename", "function"})

_TAG_KEY = re.compile(r"[a-zA-Z0-9_.:-]+")


class NormalizedTags(NamedTuple):
    """The tag pairs to keep, and the `environment` tag legacy SDKs send instead of the field."""

    pairs: list[list[str]]
    environment: str | None


def normalize_tags(raw: Any, errors: Errors) -> NormalizedTags:
    """Tags as a list of `[key, value]` strings, deduplicated (first wins), each 1-200 characters.

    Accepts an object (sorted by key, as Relay stores it) or a list of pairs; numbers and booleans are
    stringified, spaces in keys become `-`. Invalid pairs are dropped with an error; reserved keys and
    duplicates are dropped silently; `environment` is taken out and returned.
    """
    entries = pairs_of(raw)
    if entries is None:
        if raw is not None:
            record_error(errors, "invalid_data", "tags")
        return NormalizedTags([], None)
    if isinstance(raw, Mapping):
        entries.sort(key=lambda entry: str(entry[0]) if entry else "")

    pairs: list[list[str]] = []
    seen: set[str] = set()
    environment: str | None = None
    for index, entry in enumerate(entries):
        key = lenient_string(entry[0]) if entry else None
        value = lenient_string(entry[1]) if entry else None
        if key is None:
            record_error(errors, "invalid_data", f"tags.{index}")
            continue
        key = key.replace(" ", "-").strip()
        if value is None:
            continue  # Relay keeps `["key", null]` as an empty tag; there is nothing to show.
        value = value.strip()
        if key == "environment":
            environment = environment or value or None
            continue
        if key in RESERVED_TAG_KEYS or key in seen:
            continue
        seen.add(key)
        problem = tag_key_problem(key) or tag_value_problem(value)
        if problem is not None:
            record_error(errors, problem, f"tags.{index}")
            continue
        pairs.append([key, value])
    return NormalizedTags(pairs, environment)


def set_tag(pairs: list[list[str]], key: str, value: str) -> None:
    """Sets a tag (replacing the value of an existing key) when the value is a valid tag value."""
    if tag_value_problem(value) is not None:
        return
    for pair in pairs:
        if pair[0] == key:
            pair[1] = value
            return
    pairs.append([key, value])


def tag_key_problem(key: str) -> str | None:
    """The Relay error kind that disqualifies a tag key, or `None` when it is fine."""
    if not key or not _TAG_KEY.fullmatch(key):
        return "invalid_data"
    if len(key) > TAG_KEY.limit:
        return "value_too_long"
    return None


def tag_value_problem(value: str) -> str | None:
    """The Relay error kind that disqualifies a tag value, or `None` when it is fine."""
    if not value or "\n" in value:
        return "invalid_data"
    if len(value) > TAG_VALUE.limit:
        return "value_too_long"
    return None

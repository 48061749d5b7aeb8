"""Breadcrumbs (Relay `Breadcrumb`): the trail of events leading up to this one."""

from __future__ import annotations

from typing import Any

from heron.digest.fields import as_dict, as_str, values_of
from heron.digest.levels import parse_level
from heron.digest.trimming import ENUMLIKE, MEDIUM_BAG, MESSAGE, trim_bag, trim_string, trimmed_text
from heron.protocol.timestamps import parse_timestamp


def normalize_breadcrumbs(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The canonical `breadcrumbs` (`{"values": [...]}`, oldest → newest), or `None` when there are none.

    Each breadcrumb gets `type` (default `default`, also read from the legacy `ty`) and `level` (default
    `info`). A timestamp that is missing or unreadable is left out here; the caller fills in the event's.
    """
    items = values_of(raw.get("breadcrumbs"))
    if not items:
        return None
    breadcrumbs = [crumb for crumb in map(normalize_breadcrumb, items) if crumb is not None]
    return {"values": breadcrumbs} if breadcrumbs else None


def normalize_breadcrumb(raw: Any) -> dict[str, Any] | None:
    """One breadcrumb with its known fields typed and trimmed; `None` when it is not an object."""
    crumb = as_dict(raw)
    if crumb is None:
        return None
    # An event carries dozens of breadcrumbs: absent timestamps and data skip their helpers.
    normalized: dict[str, Any] = {}
    timestamp = parse_timestamp(crumb.get("timestamp"))
    if timestamp is not None:
        normalized["timestamp"] = timestamp
    crumb_type = crumb.get("type")
    if not isinstance(crumb_type, str) or not crumb_type:
        crumb_type = as_str(crumb.get("ty")) or "default"
    normalized["type"] = trim_string(crumb_type, ENUMLIKE)
    if (category := trimmed_text(crumb.get("category"), ENUMLIKE)) is not None:
        normalized["category"] = category
    if (message := trimmed_text(crumb.get("message"), MESSAGE)) is not None:
        normalized["message"] = message
    normalized["level"] = parse_level(crumb.get("level")) or "info"
    data = crumb.get("data")
    if data is not None and (data := trim_bag(as_dict(data), MEDIUM_BAG)):
        normalized["data"] = data
    return normalized

"""The JSON shapes of Sentry's web API, built from stored rows. Shapes never query one row at a time: list
shapes take everything they need loaded in bulk."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime | None) -> str | None:
    """An ISO 8601 UTC timestamp ending in `Z`, as Sentry writes them."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_from_epoch(seconds: float | None) -> str | None:
    """An epoch timestamp (as in stored event bodies) in ISO 8601 with `Z`."""
    if not isinstance(seconds, int | float):
        return None
    return iso(datetime.fromtimestamp(seconds, UTC))

"""What grouping produces, and how a list of values becomes a group hash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import md5


@dataclass(frozen=True, slots=True)
class GroupingResult:
    """The group hashes of one event under one grouping config.

    ``hashes`` holds every contributing variant's md5 hex digest, the primary first and ``system`` last;
    an event joins the first existing group that owns any of them. ``variant`` names the primary one.
    """

    config_id: str
    hashes: list[str]
    variant: str


def hash_values(values: Iterable[str]) -> str:
    """Return the md5 hex digest of ``values`` concatenated without separators.

    This is Sentry's ``hash_from_values``: hashes stay comparable with Sentry's for identical values.
    Lone surrogates are replaced rather than raising, since event strings come from arbitrary clients.
    """
    # One encoding of the concatenation gives the same bytes as encoding each value: "replace" turns every
    # unencodable character into "?" on its own, wherever the value boundaries are.
    return md5("".join(values).encode("utf-8", errors="replace"), usedforsecurity=False).hexdigest()

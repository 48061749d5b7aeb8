"""Grouping: which issue an event belongs to (PROTOCOL 7).

``compute_hashes`` runs one versioned, frozen strategy over a canonical event and returns its group hashes;
``metadata.issue_metadata`` gives the issue's title and culprit. Both are pure functions of the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import v1
from .result import GroupingResult

__all__ = ["DEFAULT_CONFIG", "STRATEGIES", "GroupingResult", "compute_hashes"]

DEFAULT_CONFIG: str = v1.CONFIG_ID

# Released strategies by config id. Entries are only ever added: stored hashes name the config that made them.
STRATEGIES: dict[str, Callable[[Mapping[str, Any]], GroupingResult]] = {
    v1.CONFIG_ID: v1.compute_hashes,
}


def compute_hashes(event: Mapping[str, Any], config_id: str = DEFAULT_CONFIG) -> GroupingResult:
    """Group hashes of a canonical event under ``config_id``; raises ValueError for an unknown config."""
    try:
        strategy = STRATEGIES[config_id]
    except KeyError:
        raise ValueError(f"unknown grouping config {config_id!r}") from None
    return strategy(event)

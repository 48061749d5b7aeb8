"""What a new event does to its issue's status: regressions, ignores that run out. Pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heron.store.models import (
    IGNORED,
    RESOLVED,
    SUB_ESCALATING,
    SUB_ONGOING,
    SUB_REGRESSED,
    UNRESOLVED,
)


@dataclass(frozen=True, slots=True)
class IssueState:
    """The part of an issue that decides how a new event changes it."""

    status: int
    substatus: int | None
    status_details: dict[str, Any]
    times_seen: int
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A new status, and the signal it raises ("regression" or "unignored")."""

    status: int
    substatus: int | None
    signal: str


def issue_is_regression(state: IssueState, event_release_id: int | None) -> bool:
    """Whether an event on a resolved issue reopens it.

    Resolved "in release" / "in next release" issues stay resolved for events of that release or an older one
    (older = created before it; an event without a release counts as older, as in Sentry).
    """
    if state.status != RESOLVED:
        return False
    resolution_release_id = state.status_details.get("releaseId")
    if resolution_release_id is None:
        return True
    if event_release_id is None:
        return False
    return bool(event_release_id > resolution_release_id)


def ignore_has_run_out(state: IssueState, now: datetime, new_events: int) -> bool:
    """Whether an ignored issue's condition (until a time, until N more events) has been met."""
    if state.status != IGNORED:
        return False
    until = state.status_details.get("ignoreUntil")
    if isinstance(until, str) and datetime.fromisoformat(until) <= now:
        return True
    count = state.status_details.get("ignoreCount")
    baseline = state.status_details.get("ignoreBaseline", 0)
    return isinstance(count, int) and state.times_seen + new_events - int(baseline) >= count


def status_after_events(
    state: IssueState, now: datetime, new_events: int, event_release_id: int | None
) -> StatusChange | None:
    """The status change that `new_events` events (the newest with `event_release_id`) cause, if any."""
    if issue_is_regression(state, event_release_id):
        return StatusChange(UNRESOLVED, SUB_REGRESSED, "regression")
    if ignore_has_run_out(state, now, new_events):
        timed = "ignoreUntil" in state.status_details
        return StatusChange(UNRESOLVED, SUB_ONGOING if timed else SUB_ESCALATING, "unignored")
    return None

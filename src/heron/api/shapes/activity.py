"""An issue's history in Sentry's `activity` shape (newest first), as the issue details endpoint returns it."""

from __future__ import annotations

from typing import Any

from heron.api.shapes import iso
from heron.store.activity import ActivityEntry
from heron.store.comments import COMMENT
from heron.store.models import Issue, User

# Heron's activity kinds and Sentry's ActivityType names.
SENTRY_TYPES = {
    COMMENT: "note",
    "resolved": "set_resolved",
    "resolved_in_next_release": "set_resolved_in_release",
    "unresolved": "set_unresolved",
    "ignored": "set_ignored",
    "assigned": "assigned",
    "unassigned": "unassigned",
    "regressed": "set_regression",
    "unignored": "set_unresolved",
}


def activity_shape(issue: Issue, history: list[ActivityEntry]) -> list[dict[str, Any]]:
    """Each entry of the history, newest first, ending with the issue's first sighting."""
    shaped = [_entry(issue, index, entry) for index, entry in enumerate(history)]
    shaped.reverse()
    shaped.append(
        {
            "id": f"{issue.id}:first_seen",
            "user": None,
            "type": "first_seen",
            "data": {},
            "dateCreated": iso(issue.first_seen),
        }
    )
    return shaped


def _entry(issue: Issue, index: int, entry: ActivityEntry) -> dict[str, Any]:
    data: dict[str, Any] = dict(entry.data)
    if entry.kind == COMMENT:
        data = {"text": entry.text}
    elif entry.kind == "assigned":
        data = {"assignee": data.get("assignee"), "assigneeEmail": data.get("assignee"), "assigneeType": "user"}
    return {
        "id": f"{issue.id}:{index}",
        "user": _user(entry.author),
        "type": SENTRY_TYPES.get(entry.kind, entry.kind),
        "data": data,
        "dateCreated": iso(entry.date_created),
    }


def _user(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": str(user.id), "name": user.name or user.email, "username": user.email, "email": user.email}

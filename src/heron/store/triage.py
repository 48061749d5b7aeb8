"""Triage: how a status change, a resolution release, an ignore condition or an assignment changes issues, and
the history entry each one leaves. The API's `PUT` and the issue pages both go through `apply_issue_update`.

Status details are stored with the keys the digest's rules read (`heron.digest.states`): `releaseId` for
resolutions in a release, `ignoreUntil` / `ignoreCount` + `ignoreBaseline` for ignores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from heron.store.accounts import organization_member
from heron.store.activity import record_activity
from heron.store.issues import change_issues
from heron.store.models import (
    IGNORED,
    RESOLVED,
    SUB_FOREVER,
    SUB_ONGOING,
    SUB_UNTIL_CONDITION_MET,
    SUB_UNTIL_ESCALATING,
    UNRESOLVED,
    Issue,
    User,
)
from heron.store.releases import latest_release, release_by_version

# What the history calls each status change (heron.store.activity).
ACTIVITY_KINDS = {
    "resolved": "resolved",
    "resolvedInNextRelease": "resolved_in_next_release",
    "unresolved": "unresolved",
    "ignored": "ignored",
}
IGNORED_SUBSTATUSES = {"archived_until_escalating": SUB_UNTIL_ESCALATING, "archived_forever": SUB_FOREVER}


class TriageError(ValueError):
    """The change cannot be made (unknown release, assignee outside the organization…); the message says why."""


@dataclass(frozen=True, slots=True)
class IssueUpdate:
    """A validated PUT body. `assign` says whether `assignee` (None = nobody) was given at all."""

    status: str | None = None
    substatus: str | None = None
    in_release: str | None = None
    in_next_release: bool = False
    ignore_minutes: int | None = None
    ignore_count: int | None = None
    assign: bool = False
    assignee: str | None = None


def apply_issue_update(
    session: Session,
    issues: Sequence[Issue],
    update: IssueUpdate,
    organization_id: int,
    now: datetime,
    *,
    actor_id: int | None,
) -> User | None:
    """Change `issues` (all of one organization) as `update` says, and record it in their history (by
    `actor_id`); returns the assignee (when `update.assign`). TriageError says what cannot be done."""
    changes: list[tuple[Issue, dict[str, Any]]] = [(issue, {}) for issue in issues]
    if update.status is not None:
        status_values = _status_values(session, issues, update, organization_id, now)
        for (_issue, values), status in zip(changes, status_values, strict=True):
            values.update(status)
    assignee: User | None = None
    if update.assign:
        assignee = _assignee(session, organization_id, update.assignee)
        for _issue, values in changes:
            values["assignee_id"] = assignee.id if assignee is not None else None
    change_issues(session, changes)
    _record(session, issues, update, assignee, actor_id, now)
    return assignee


def _record(
    session: Session,
    issues: Sequence[Issue],
    update: IssueUpdate,
    assignee: User | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    ids = [issue.id for issue in issues]
    if update.status is not None and issues:
        kind = ACTIVITY_KINDS[update.status]
        if kind == "resolved" and update.in_next_release:
            kind = "resolved_in_next_release"
        record_activity(session, ids, actor_id, kind, data=dict(issues[0].status_details), now=now)
    if update.assign and issues:
        kind, data = ("assigned", {"assignee": assignee.email}) if assignee is not None else ("unassigned", {})
        record_activity(session, ids, actor_id, kind, data=data, now=now)


def _status_values(
    session: Session, issues: Sequence[Issue], update: IssueUpdate, organization_id: int, now: datetime
) -> list[dict[str, Any]]:
    if update.status in ("resolved", "resolvedInNextRelease"):
        details = _resolution_details(session, issues, update, organization_id)
        return [{"status": RESOLVED, "substatus": None, "status_details": details, "resolved_at": now} for _ in issues]
    if update.status == "unresolved":
        return [
            {"status": UNRESOLVED, "substatus": SUB_ONGOING, "status_details": {}, "resolved_at": None} for _ in issues
        ]
    return [_ignore_values(issue, update, now) for issue in issues]


def _resolution_details(
    session: Session, issues: Sequence[Issue], update: IssueUpdate, organization_id: int
) -> dict[str, Any]:
    """`releaseId` of the release the issues are resolved in; {} for a plain resolve (or no release yet)."""
    if update.in_release is not None:
        release = release_by_version(session, organization_id, update.in_release)
        if release is None:
            raise TriageError("Unable to find the given release.")
        return {"releaseId": release.id, "inRelease": release.version}
    if update.in_next_release:
        project_ids = {issue.project_id for issue in issues}
        if len(project_ids) > 1:
            raise TriageError("Cannot set resolved in next release for multiple projects.")
        # Events of releases up to the latest one known now stay resolved; a newer release regresses.
        latest = latest_release(session, project_ids.pop()) if project_ids else None
        if latest is not None:
            return {"releaseId": latest.id, "inNextRelease": True}
    return {}


def _ignore_values(issue: Issue, update: IssueUpdate, now: datetime) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if update.ignore_minutes is not None:
        details["ignoreUntil"] = (now + timedelta(minutes=update.ignore_minutes)).isoformat()
    if update.ignore_count is not None:
        details["ignoreCount"] = update.ignore_count
        details["ignoreBaseline"] = issue.times_seen
    # An ignore with a condition lasts until it is met; without one, forever (or until escalating, if asked).
    substatus = SUB_UNTIL_CONDITION_MET if details else IGNORED_SUBSTATUSES.get(update.substatus or "", SUB_FOREVER)
    return {"status": IGNORED, "substatus": substatus, "status_details": details, "resolved_at": None}


def _assignee(session: Session, organization_id: int, identifier: str | None) -> User | None:
    if identifier is None:
        return None
    if identifier.startswith("team:"):
        raise TriageError("Heron has no teams; assign issues to a user.")
    user = organization_member(session, organization_id, identifier)
    if user is None:
        raise TriageError("Cannot assign to a user who is not a member of the organization.")
    return user

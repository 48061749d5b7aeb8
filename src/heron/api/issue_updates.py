"""What a `PUT` on issues asks for (Sentry's GroupValidator fields, as the web UI and sentry-cli send them),
and how it changes the issues: status, resolution release, ignore conditions, assignee.

Status details are stored with the keys the digest's rules read (`heron.digest.states`): `releaseId` for
resolutions in a release, `ignoreUntil` / `ignoreCount` + `ignoreBaseline` for ignores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from heron.api.access import bad_request
from heron.api.shapes.issues import assignee_shape, status_details_shape
from heron.store.accounts import organization_member
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

STATUSES = ("resolved", "resolvedInNextRelease", "unresolved", "ignored", "muted")
IGNORED_SUBSTATUSES = {"archived_until_escalating": SUB_UNTIL_ESCALATING, "archived_forever": SUB_FOREVER}


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


def parse_issue_update(body: dict[str, Any] | None) -> IssueUpdate:
    """Validate a PUT body; 400 with what is wrong. Unknown fields (hasSeen, isBookmarked…) are ignored."""
    body = body or {}
    if body.get("merge") or body.get("discard"):
        raise bad_request("Merging and discarding issues is not supported.")
    status = body.get("status")
    if status is not None and status not in STATUSES:
        raise bad_request(f"Invalid status {status!r}; use one of {', '.join(STATUSES)}.")
    details = body.get("statusDetails") or {}
    if not isinstance(details, dict):
        raise bad_request("statusDetails must be an object.")
    in_release = details.get("inRelease")
    if in_release is not None and (not isinstance(in_release, str) or not in_release):
        raise bad_request("statusDetails.inRelease must be a release version.")
    substatus = body.get("substatus")
    if substatus is not None and substatus not in IGNORED_SUBSTATUSES:
        raise bad_request(f"Invalid substatus {substatus!r}; use one of {', '.join(IGNORED_SUBSTATUSES)}.")
    assign = "assignedTo" in body
    assignee = body.get("assignedTo") or None
    if assignee is not None and not isinstance(assignee, str | int):
        raise bad_request("assignedTo must be a user id, an email or null.")
    return IssueUpdate(
        status="ignored" if status == "muted" else status,
        substatus=substatus,
        in_release=in_release,
        in_next_release=status == "resolvedInNextRelease" or details.get("inNextRelease") is True,
        ignore_minutes=_positive(details, body, "ignoreDuration", "snoozeDuration"),
        ignore_count=_positive(details, body, "ignoreCount"),
        assign=assign,
        assignee=None if assignee is None else str(assignee),
    )


def apply_issue_update(
    session: Session, issues: Sequence[Issue], update: IssueUpdate, organization_id: int, now: datetime
) -> dict[str, Any]:
    """Change `issues` (all of one organization) as `update` says; returns what changed, in Sentry's shape."""
    result: dict[str, Any] = {}
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
    if update.status is not None and issues:
        first = issues[0]
        result["status"] = {UNRESOLVED: "unresolved", RESOLVED: "resolved", IGNORED: "ignored"}[first.status]
        result["statusDetails"] = status_details_shape(first)
    if update.assign:
        result["assignedTo"] = assignee_shape(assignee)
    return result


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
            raise bad_request("Unable to find the given release.")
        return {"releaseId": release.id, "inRelease": release.version}
    if update.in_next_release:
        project_ids = {issue.project_id for issue in issues}
        if len(project_ids) > 1:
            raise bad_request("Cannot set resolved in next release for multiple projects.")
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
        raise bad_request("Heron has no teams; assign issues to a user.")
    user = organization_member(session, organization_id, identifier)
    if user is None:
        raise bad_request("Cannot assign to a user who is not a member of the organization.")
    return user


def _positive(details: dict[str, Any], body: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = details.get(name, body.get(name))
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad_request(f"{name} must be a positive integer.")
        return value
    return None

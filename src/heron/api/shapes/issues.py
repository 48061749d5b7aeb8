"""Issues in Sentry's shape (GroupSerializer): what issue lists, issue details and sentry-cli read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from heron.api.shapes import iso
from heron.store.accounts import users_by_id
from heron.store.models import (
    IGNORED,
    RESOLVED,
    STATUS_NAMES,
    SUBSTATUS_NAMES,
    Issue,
    Organization,
    Project,
    User,
)
from heron.store.organizations import organizations_by_id, projects_by_id
from heron.store.short_ids import qualified_short_id
from heron.store.tags import unhandled_issue_ids


@dataclass(frozen=True, slots=True)
class IssueFacts:
    """Everything issue shapes show besides the issue rows, loaded in one query per kind."""

    projects: dict[int, Project]
    organizations: dict[int, Organization]
    assignees: dict[int, User]
    unhandled: set[int]
    public_url: str


def load_issue_facts(session: Session, issues: Sequence[Issue], public_url: str) -> IssueFacts:
    """The projects, organizations, assignees and unhandled flags of a list of issues."""
    projects = projects_by_id(session, (issue.project_id for issue in issues))
    organizations = organizations_by_id(session, (project.organization_id for project in projects.values()))
    assignees = users_by_id(session, (issue.assignee_id for issue in issues if issue.assignee_id is not None))
    unhandled = unhandled_issue_ids(session, (issue.id for issue in issues))
    return IssueFacts(projects, organizations, assignees, unhandled, public_url)


def issue_list(session: Session, issues: Sequence[Issue], public_url: str) -> list[dict[str, Any]]:
    """Issue shapes of a list, with a fixed number of queries whatever its length."""
    facts = load_issue_facts(session, issues, public_url)
    return [issue_shape(issue, facts) for issue in issues]


def issue_shape(issue: Issue, facts: IssueFacts) -> dict[str, Any]:
    """One issue in Sentry's shape."""
    project = facts.projects[issue.project_id]
    organization = facts.organizations[project.organization_id]
    assignee = facts.assignees.get(issue.assignee_id) if issue.assignee_id is not None else None
    return {
        "id": str(issue.id),
        "shortId": qualified_short_id(project.slug, issue.short_id),
        "title": issue.title,
        "culprit": issue.culprit,
        "permalink": f"{facts.public_url}/organizations/{organization.slug}/issues/{issue.id}/",
        "logger": None,
        "level": issue.level,
        "status": STATUS_NAMES.get(issue.status, "unresolved"),
        "substatus": SUBSTATUS_NAMES.get(issue.substatus) if issue.substatus is not None else None,
        "statusDetails": status_details_shape(issue),
        "isPublic": False,
        "platform": project.platform or "other",
        "project": {"id": str(project.id), "name": project.name, "slug": project.slug, "platform": project.platform},
        "type": issue.type,
        "issueType": "error",
        "issueCategory": "error",
        "metadata": issue.metadata_,
        "numComments": 0,
        "assignedTo": assignee_shape(assignee),
        "isBookmarked": False,
        "isSubscribed": False,
        "subscriptionDetails": None,
        "hasSeen": False,
        "annotations": [],
        "isUnhandled": issue.id in facts.unhandled,
        "count": str(issue.times_seen),
        "userCount": issue.user_count,
        "firstSeen": iso(issue.first_seen),
        "lastSeen": iso(issue.last_seen),
        "shareId": None,
    }


def status_details_shape(issue: Issue) -> dict[str, Any]:
    """`statusDetails` as Sentry shows them, from what Heron stores in `status_details`."""
    details = issue.status_details or {}
    if issue.status == RESOLVED:
        if details.get("inNextRelease"):
            return {"inNextRelease": True}
        if details.get("inRelease"):
            return {"inRelease": details["inRelease"]}
        return {}
    if issue.status == IGNORED:
        shape: dict[str, Any] = {}
        until = details.get("ignoreUntil")
        if isinstance(until, str):
            shape["ignoreUntil"] = until if until.endswith("Z") else iso(datetime.fromisoformat(until))
        if isinstance(details.get("ignoreCount"), int):
            shape["ignoreCount"] = details["ignoreCount"]
        return shape
    return {}


def assignee_shape(user: User | None) -> dict[str, Any] | None:
    """Sentry's actor shape of an assignee."""
    if user is None:
        return None
    return {"type": "user", "id": str(user.id), "name": user.name or user.email, "email": user.email}

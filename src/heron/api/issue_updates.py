"""What a `PUT` on issues asks for (Sentry's GroupValidator fields, as the web UI and sentry-cli send them),
validated into a `heron.store.triage.IssueUpdate`, and what the API answers once it is applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from heron.api.access import bad_request
from heron.api.shapes.issues import assignee_shape, status_details_shape
from heron.store.models import IGNORED, RESOLVED, UNRESOLVED, Issue
from heron.store.triage import IGNORED_SUBSTATUSES, IssueUpdate, TriageError
from heron.store.triage import apply_issue_update as apply_to_issues

STATUSES = ("resolved", "resolvedInNextRelease", "unresolved", "ignored", "muted")


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
    session: Session,
    issues: Sequence[Issue],
    update: IssueUpdate,
    organization_id: int,
    now: datetime,
    *,
    actor_id: int | None,
) -> dict[str, Any]:
    """Apply `update` (heron.store.triage) and return what changed, in Sentry's shape; 400 when it cannot be."""
    try:
        assignee = apply_to_issues(session, issues, update, organization_id, now, actor_id=actor_id)
    except TriageError as error:
        raise bad_request(str(error)) from None
    result: dict[str, Any] = {}
    if update.status is not None and issues:
        first = issues[0]
        result["status"] = {UNRESOLVED: "unresolved", RESOLVED: "resolved", IGNORED: "ignored"}[first.status]
        result["statusDetails"] = status_details_shape(first)
    if update.assign:
        result["assignedTo"] = assignee_shape(assignee)
    return result


def _positive(details: dict[str, Any], body: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = details.get(name, body.get(name))
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad_request(f"{name} must be a positive integer.")
        return value
    return None

"""The issue page (`/organizations/{org}/issues/{id}/`, and `…/events/{event_id|latest|oldest}/` for one of
its events): what the issue is, how often it happened (24 hours, 30 days), its tags, and one event in full with
links to the newest, older, newer and oldest events."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from heron.store.accounts import organization_members, users_by_id
from heron.store.activity import issue_activity
from heron.store.comments import COMMENT
from heron.store.dictionaries import read_event_body
from heron.store.events import issue_events, neighbour_event_ids, project_event
from heron.store.frequency import DAY, issue_event_series
from heron.store.models import STATUS_NAMES, SUBSTATUS_NAMES, Event, Issue, Organization, Project, Release, Transaction
from heron.store.short_ids import qualified_short_id
from heron.store.tags import issue_tag_summaries
from heron.store.transactions import trace_transactions
from heron.store.types import utcnow
from heron.store.web_sessions import Viewer
from heron.web.access import issue_for, organization_for, projects_of
from heron.web.charts import bar_chart
from heron.web.deps import Db, SignedIn
from heron.web.errors import not_found
from heron.web.event_view import event_view
from heron.web.tag_links import tag_search_url
from heron.web.templates import render
from heron.web.triage import IGNORE_DURATIONS

router = APIRouter()

_EVENT_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class EventLinks:
    """The event ids to step to; None where there is nowhere to go."""

    newest: str | None
    newer: str | None
    older: str | None
    oldest: str | None


@router.get("/organizations/{organization_slug}/issues/{issue_id}/")
@router.get("/organizations/{organization_slug}/issues/{issue_id}/events/{event_ref}/")
def issue_page(
    request: Request, organization_slug: str, issue_id: str, viewer: SignedIn, db: Db, event_ref: str = "latest"
) -> Response:
    """The issue with one of its events (the latest unless the path names another)."""
    organization = organization_for(db, viewer, organization_slug)
    issue = issue_for(db, viewer, organization, issue_id)
    project = db.get_one(Project, issue.project_id)
    event = _event(db, issue, event_ref)
    now = utcnow()
    day = issue_event_series(db, [issue.id], now)[issue.id]
    month = issue_event_series(db, [issue.id], now, buckets=30, step=DAY)[issue.id]
    base = f"/organizations/{organization.slug}/issues/{issue.id}/"
    members = organization_members(db, organization.id)
    context = {
        "organization": organization,
        "project": project,
        "issue": issue,
        "short_id": qualified_short_id(project.slug, issue.short_id),
        "status": STATUS_NAMES.get(issue.status, "unresolved"),
        "substatus": SUBSTATUS_NAMES.get(issue.substatus) if issue.substatus is not None else None,
        "assignee": users_by_id(db, [issue.assignee_id]).get(issue.assignee_id) if issue.assignee_id else None,
        "first_release": db.get(Release, issue.first_release_id) if issue.first_release_id is not None else None,
        "day_chart": bar_chart(day, width=480, height=60),
        "month_chart": bar_chart(month, width=480, height=60, gap=2),
        "tags": issue_tag_summaries(db, issue.id, top=5),
        "tag_url": lambda key, value: tag_search_url(organization.slug, project.id, key, value),
        "event": event,
        "view": event_view(read_event_body(db, event.body)) if event is not None else None,
        "trace": _trace(db, viewer, organization, event),
        "links": _event_links(db, issue, event),
        "base": base,
        "members": members,
        "member_names": {member.email: member.name or member.email for member in members},
        "history": issue_activity(db, issue.id),
        "comment_kind": COMMENT,
        "ignore_durations": IGNORE_DURATIONS,
    }
    return render(request, "issue.html", context)


def _event(session: Session, issue: Issue, reference: str) -> Event | None:
    """The event the path names: `latest`, `oldest` or an event id of this issue (404 otherwise)."""
    if reference in ("latest", "oldest"):
        found = issue_events(session, issue.id, offset=0, limit=1, newest_first=reference == "latest")
        return found[0] if found else None
    event_id = reference.replace("-", "").lower()
    event = project_event(session, issue.project_id, event_id) if _EVENT_ID.fullmatch(event_id) else None
    if event is None or event.issue_id != issue.id:
        raise not_found("This event does not exist, or it belongs to another issue.")
    return event


def _event_links(session: Session, issue: Issue, event: Event | None) -> EventLinks:
    if event is None:
        return EventLinks(None, None, None, None)
    older, newer = neighbour_event_ids(session, event, same_issue=True)
    newest = issue_events(session, issue.id, offset=0, limit=1)[0].event_id if newer else None
    oldest = issue_events(session, issue.id, offset=0, limit=1, newest_first=False)[0].event_id if older else None
    return EventLinks(newest, newer, older, oldest)


def _trace(db: Db, viewer: Viewer, organization: Organization, event: Event | None) -> list[tuple[str, Transaction]]:
    """The transactions of the event's trace (with their projects' slugs), so an error links to its trace."""
    if event is None or not event.trace_id:
        return []
    projects = {project.id: project.slug for project in projects_of(db, viewer, organization)}
    return [(projects[t.project_id], t) for t in trace_transactions(db, list(projects), event.trace_id)]

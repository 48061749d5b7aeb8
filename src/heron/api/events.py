"""Events: an issue's events (`/issues/{id}/events/…`, also under `/organizations/{org}/`) and a project's
events (`/projects/{org}/{project}/events/…`). Single events carry `nextEventID` / `previousEventID`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from heron.api.access import ProjectEvents, ReadableIssue, require_event, require_event_id
from heron.api.deps import Db
from heron.api.pagination import json_response, paginated_response, requested_page
from heron.api.shapes.events import event_list, event_shape
from heron.store.dictionaries import read_event_bodies, read_event_body
from heron.store.events import issue_events, neighbour_event_ids, project_event, project_events
from heron.store.models import Event

router = APIRouter()

# `/issues/{id}/events/{which}/` accepts these besides an event id; Sentry's "recommended" is the latest here.
NEWEST, OLDEST = ("latest", "recommended"), ("oldest",)


@router.get("/issues/{issue_id}/events/")
@router.get("/organizations/{organization_slug}/issues/{issue_id}/events/")
def list_issue_events(request: Request, issue: ReadableIssue, session: Db) -> Response:
    """The issue's events, newest first; `?full=true` for whole events."""
    page = requested_page(request)
    events = issue_events(session, issue.id, offset=page.offset, limit=page.fetch)
    return paginated_response(request, page, events, lambda rows: _listed(session, rows, full=_wants_full(request)))


@router.get("/issues/{issue_id}/events/{which}/")
@router.get("/organizations/{organization_slug}/issues/{issue_id}/events/{which}/")
def issue_event(which: str, issue: ReadableIssue, session: Db) -> Response:
    """One of the issue's events: `latest`, `oldest`, `recommended` or an event id."""
    if which in NEWEST or which in OLDEST:
        found = issue_events(session, issue.id, offset=0, limit=1, newest_first=which in NEWEST)
        event = require_event(found[0] if found else None)
    else:
        event = require_event(project_event(session, issue.project_id, require_event_id(which)), issue.id)
    return json_response(_detailed(session, event, same_issue=True))


@router.get("/projects/{organization_slug}/{project_slug}/events/")
def list_project_events(request: Request, project: ProjectEvents, session: Db) -> Response:
    """The project's events, newest first; `?full=true` for whole events."""
    page = requested_page(request)
    events = project_events(session, project.id, offset=page.offset, limit=page.fetch)
    return paginated_response(request, page, events, lambda rows: _listed(session, rows, full=_wants_full(request)))


@router.get("/projects/{organization_slug}/{project_slug}/events/{event_id}/")
def project_event_details(event_id: str, project: ProjectEvents, session: Db) -> Response:
    """One event of the project, by event id."""
    event = require_event(project_event(session, project.id, require_event_id(event_id)))
    return json_response(_detailed(session, event, same_issue=False))


def _detailed(session: Session, event: Event, *, same_issue: bool) -> dict[str, object]:
    shape = event_shape(event, read_event_body(session, event.body), full=True, detailed=True)
    previous, following = neighbour_event_ids(session, event, same_issue=same_issue)
    shape["previousEventID"] = previous
    shape["nextEventID"] = following
    return shape


def _listed(session: Session, events: Sequence[Event], *, full: bool) -> list[dict[str, Any]]:
    return event_list(events, read_event_bodies(session, [event.body for event in events]), full=full)


def _wants_full(request: Request) -> bool:
    return request.query_params.get("full", "").lower() in ("1", "true", "yes")

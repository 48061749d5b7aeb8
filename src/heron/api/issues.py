"""Issues: lists and bulk updates (`/projects/{org}/{project}/issues/`, `/organizations/{org}/issues/`) and one
issue (`GET/PUT/DELETE /issues/{id}/`, also under `/organizations/{org}/issues/{id}/`, where a short id like
`APP-1A` works too).

Lists take Sentry's `query` (default `is:unresolved`), `statsPeriod`, `sort`, `environment` and `cursor`; bulk
updates take `?id=` (repeated) or else apply to what the query matches, as sentry-cli's `issues resolve|mute`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from heron.api.access import (
    DeletableIssue,
    OrganizationEvents,
    ReadableIssue,
    WritableIssue,
    WritableOrganizationIssues,
    WritableProjectIssues,
    bad_request,
    requested_projects,
)
from heron.api.access import ProjectEvents as ReadableProjectIssues
from heron.api.deps import AuthenticatedCaller, Db, public_url
from heron.api.issue_updates import apply_issue_update, parse_issue_update
from heron.api.pagination import json_response, paginated_response, requested_page
from heron.api.shapes.activity import activity_shape
from heron.api.shapes.issues import issue_list
from heron.search import DEFAULT_QUERY, STATUSES, IssueQuery, SearchError, StatusFilter, TagFilter, parse_duration
from heron.search import parse_query as parse_search
from heron.store.activity import issue_activity
from heron.store.issues import delete_issue, issues_in_projects
from heron.store.models import Issue, Project, Release
from heron.store.search import SORTS, IssueSearch, search_issues
from heron.store.types import utcnow

router = APIRouter()

BULK_MUTATION_LIMIT = 1000
JsonBody = Annotated[dict[str, Any] | None, Body()]


@router.get("/projects/{organization_slug}/{project_slug}/issues/")
def project_issues(
    request: Request, project: ReadableProjectIssues, session: Db, caller: AuthenticatedCaller
) -> Response:
    """The project's issues matching the query, one page at a time."""
    return _issue_page(request, session, issue_search(request, [project.id], caller.user.id))


@router.get("/organizations/{organization_slug}/issues/")
def organization_issues(
    request: Request, organization: OrganizationEvents, session: Db, caller: AuthenticatedCaller
) -> Response:
    """The organization's issues (of the `?project=` ids, or all its projects) matching the query."""
    project_ids = sorted(requested_projects(request, session, caller, organization))
    return _issue_page(request, session, issue_search(request, project_ids, caller.user.id))


@router.put("/projects/{organization_slug}/{project_slug}/issues/")
def update_project_issues(
    request: Request, project: WritableProjectIssues, session: Db, caller: AuthenticatedCaller, body: JsonBody = None
) -> Response:
    """Change the issues named by `?id=` (or matching the query) as the body says; 204 when none match."""
    issues = _bulk_targets(request, session, [project.id], caller.user.id)
    return _bulk_update(session, issues, body, project.organization_id, caller.user.id)


@router.put("/organizations/{organization_slug}/issues/")
def update_organization_issues(
    request: Request,
    organization: WritableOrganizationIssues,
    session: Db,
    caller: AuthenticatedCaller,
    body: JsonBody = None,
) -> Response:
    """Bulk update across the organization's projects (`?id=` or the query)."""
    project_ids = sorted(requested_projects(request, session, caller, organization))
    issues = _bulk_targets(request, session, project_ids, caller.user.id)
    return _bulk_update(session, issues, body, organization.id, caller.user.id)


@router.get("/issues/{issue_id}/")
@router.get("/organizations/{organization_slug}/issues/{issue_id}/")
def issue_details(request: Request, issue: ReadableIssue, session: Db) -> Response:
    """The issue, with its first release and Sentry's (empty) activity lists."""
    return json_response(issue_detail_shape(request, session, issue))


@router.put("/issues/{issue_id}/")
@router.put("/organizations/{organization_slug}/issues/{issue_id}/")
def update_issue(
    request: Request, issue: WritableIssue, session: Db, caller: AuthenticatedCaller, body: JsonBody = None
) -> Response:
    """Change status, resolution, ignore conditions or assignee; returns the issue as it is now."""
    update = parse_issue_update(body)
    organization_id = session.get_one(Project, issue.project_id).organization_id
    result = apply_issue_update(session, [issue], update, organization_id, utcnow(), actor_id=caller.user.id)
    return json_response({**issue_detail_shape(request, session, issue), **result})


@router.delete("/issues/{issue_id}/")
@router.delete("/organizations/{organization_slug}/issues/{issue_id}/")
def remove_issue(issue: DeletableIssue, session: Db) -> Response:
    """Delete the issue and its events. 202, as Sentry answers (the deletion is done already)."""
    delete_issue(session, issue.id)
    return Response(status_code=202)


def issue_detail_shape(request: Request, session: Session, issue: Issue) -> dict[str, Any]:
    """Sentry's issue details: the list shape plus releases and the issue's history as `activity`."""
    shape = issue_list(session, [issue], public_url(request))[0]
    first_release = session.get(Release, issue.first_release_id) if issue.first_release_id is not None else None
    shape.update(
        {
            "firstRelease": {"version": first_release.version} if first_release is not None else None,
            "lastRelease": None,
            "activity": activity_shape(issue, issue_activity(session, issue.id)),
            "seenBy": [],
            "participants": [],
            "pluginActions": [],
            "pluginIssues": [],
            "pluginContexts": [],
            "userReportCount": 0,
        }
    )
    return shape


def issue_search(request: Request, project_ids: Sequence[int], viewer_id: int) -> IssueSearch:
    """The search a list request asks for; 400 for a bad query, sort or period."""
    params = request.query_params
    # sentry-cli's `--status` filter replaces the default `is:unresolved` rather than contradicting it.
    query = params.get("query", "" if params.get("status") else DEFAULT_QUERY)
    now = utcnow()
    try:
        parsed = parse_search(query, now)
        window = parse_duration(params["statsPeriod"]) if params.get("statsPeriod") else None
    except SearchError as error:
        raise bad_request(str(error)) from None
    extra: list[Any] = []
    environments = tuple(name for name in params.getlist("environment") if name)
    if environments:
        extra.append(TagFilter("environment", environments))
    status = params.get("status")
    if status:
        if status not in STATUSES:
            raise bad_request(f"Invalid status {status!r}")
        extra.append(StatusFilter(frozenset({STATUSES[status]})))
    sort = params.get("sort") or "date"
    if sort not in SORTS:
        raise bad_request(f"Invalid sort {sort!r}; use one of {', '.join(SORTS)}")
    return IssueSearch(
        project_ids=project_ids,
        query=IssueQuery((*parsed.filters, *extra)),
        viewer_id=viewer_id,
        sort=sort,
        last_seen_after=now - window if window is not None else None,
    )


def _issue_page(request: Request, session: Session, search: IssueSearch) -> Response:
    page = requested_page(request)
    issues = search_issues(session, search, offset=page.offset, limit=page.fetch)
    base_url = public_url(request)
    return paginated_response(request, page, issues, lambda rows: issue_list(session, rows, base_url))


def _bulk_targets(request: Request, session: Session, project_ids: Sequence[int], viewer_id: int) -> list[Issue]:
    ids = request.query_params.getlist("id")
    if ids:
        if not all(raw.strip().isdigit() for raw in ids):
            raise bad_request("Invalid issue id: ids are integers")
        return issues_in_projects(session, (int(raw) for raw in ids), project_ids)
    search = issue_search(request, project_ids, viewer_id)
    return search_issues(session, search, offset=0, limit=BULK_MUTATION_LIMIT)


def _bulk_update(
    session: Session, issues: list[Issue], body: dict[str, Any] | None, organization_id: int, actor_id: int
) -> Response:
    update = parse_issue_update(body)
    if not issues:
        return Response(status_code=204)
    result = apply_issue_update(session, issues, update, organization_id, utcnow(), actor_id=actor_id)
    return json_response(result)

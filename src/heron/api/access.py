"""Who may see what: the scopes each kind of endpoint needs, and lookups that answer 404 for anything outside
the caller's organizations (never 403, so another tenant's ids and slugs leak nothing). Superusers see all."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from heron.api.deps import AuthenticatedCaller, Caller, Db
from heron.api.errors import ApiError, not_found
from heron.store.issues import issue_by_short_id, visible_issue
from heron.store.models import Event, Issue, Organization, Project
from heron.store.organizations import visible_organization, visible_project, visible_projects
from heron.store.short_ids import SHORT_ID_ALPHABET

# Sentry's permission classes: each method accepts any of these scopes.
ORG_READ = ("org:read", "org:write", "org:admin")
PROJECT_READ = ("project:read", "project:write", "project:admin")
EVENT_READ = ("event:read", "event:write", "event:admin")
EVENT_WRITE = ("event:write", "event:admin")
EVENT_ADMIN = ("event:admin",)

MAX_PROJECTS = 10_000
_QUALIFIED_SHORT_ID = re.compile(r"(.+?)-([0-9A-Za-z]+)")
_EVENT_ID = re.compile(r"[0-9a-f]{32}")
_MAX_ID = 2**63 - 1


def organization_in_path(scopes: tuple[str, ...]) -> Any:
    """A dependency: the `{organization_slug}` of the path, after checking the token holds one of `scopes`."""

    def resolve(organization_slug: str, session: Db, caller: AuthenticatedCaller) -> Organization:
        caller.require_any(scopes)
        return organization_for(session, caller, organization_slug)

    return Depends(resolve)


def project_in_path(scopes: tuple[str, ...]) -> Any:
    """A dependency: the `{organization_slug}/{project_slug}` of the path, after the scope check."""

    def resolve(organization_slug: str, project_slug: str, session: Db, caller: AuthenticatedCaller) -> Project:
        caller.require_any(scopes)
        return project_for(session, caller, organization_slug, project_slug)

    return Depends(resolve)


def issue_in_path(scopes: tuple[str, ...]) -> Any:
    """A dependency: the `{issue_id}` of `/issues/{issue_id}/…` or `/organizations/{org}/issues/{issue_id}/…`,
    after the scope check."""

    def resolve(request: Request, issue_id: str, session: Db, caller: AuthenticatedCaller) -> Issue:
        caller.require_any(scopes)
        organization_slug = request.path_params.get("organization_slug")
        organization = organization_for(session, caller, organization_slug) if organization_slug else None
        return issue_for(session, caller, issue_id, organization)

    return Depends(resolve)


ReadableOrganization = Annotated[Organization, organization_in_path(ORG_READ)]
OrganizationEvents = Annotated[Organization, organization_in_path(EVENT_READ)]
WritableOrganizationIssues = Annotated[Organization, organization_in_path(EVENT_WRITE)]
ReadableProject = Annotated[Project, project_in_path(PROJECT_READ)]
ProjectEvents = Annotated[Project, project_in_path(EVENT_READ)]
WritableProjectIssues = Annotated[Project, project_in_path(EVENT_WRITE)]
ReadableIssue = Annotated[Issue, issue_in_path(EVENT_READ)]
WritableIssue = Annotated[Issue, issue_in_path(EVENT_WRITE)]
DeletableIssue = Annotated[Issue, issue_in_path(EVENT_ADMIN)]


def organization_for(session: Session, caller: Caller, slug: str) -> Organization:
    """The organization with this slug, if the caller may see it; else 404."""
    organization = visible_organization(session, slug, caller.visibility)
    if organization is None:
        raise not_found("The requested organization does not exist")
    return organization


def project_for(session: Session, caller: Caller, organization_slug: str, project_slug: str) -> Project:
    """The project `organization_slug/project_slug`, if the caller may see it; else 404."""
    organization = organization_for(session, caller, organization_slug)
    project = visible_project(session, organization.id, project_slug, caller.visibility)
    if project is None:
        raise not_found("The requested project does not exist")
    return project


def issue_for(session: Session, caller: Caller, issue_ref: str, organization: Organization | None = None) -> Issue:
    """The issue by numeric id (or, under an organization, by short id like `APP-1A`); 404 when the caller may
    not see it or it belongs to another organization than `organization`."""
    issue: Issue | None = None
    if issue_ref.isdigit() and int(issue_ref) <= _MAX_ID:
        issue = visible_issue(session, int(issue_ref), caller.visibility)
        if issue is not None and organization is not None and not _issue_in(session, issue, organization):
            issue = None
    elif organization is not None:
        parsed = parse_short_id(issue_ref)
        if parsed is not None:
            issue = issue_by_short_id(session, organization.id, *parsed)
            if issue is not None and not caller.visibility.sees_project(session.get_one(Project, issue.project_id)):
                issue = None
    if issue is None:
        raise not_found("The requested issue does not exist")
    return issue


def require_event_id(event_id: str) -> str:
    """An event id as stored (32 lowercase hex; dashes of a UUID dropped); 404 when it cannot be one."""
    normalized = event_id.replace("-", "").lower()
    if not _EVENT_ID.fullmatch(normalized):
        raise not_found("The requested event does not exist")
    return normalized


def require_event(event: Event | None, issue_id: int | None = None) -> Event:
    """The event (of issue `issue_id` when given), or 404."""
    if event is None or (issue_id is not None and event.issue_id != issue_id):
        raise not_found("The requested event does not exist")
    return event


def parse_short_id(text: str) -> tuple[str, int] | None:
    """`APP-1A` as (`app`, 42); None when it is not a short id."""
    match = _QUALIFIED_SHORT_ID.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(2).upper().replace("O", "0").replace("I", "1").replace("L", "1")
    number = 0
    for digit in digits:
        if digit not in SHORT_ID_ALPHABET:
            return None
        number = number * 32 + SHORT_ID_ALPHABET.index(digit)
    return (match.group(1).lower(), number) if number <= _MAX_ID else None


def bad_request(detail: str) -> ApiError:
    """A 400 with Sentry's `{"detail": …}`."""
    return ApiError(400, detail)


def _issue_in(session: Session, issue: Issue, organization: Organization) -> bool:
    project = session.get(Project, issue.project_id)
    return project is not None and project.organization_id == organization.id


def requested_projects(
    request: Request, session: Session, caller: Caller, organization: Organization
) -> dict[int, Project]:
    """The `?project=` ids of the organization (every project the caller may see when absent or -1), by id; 400 for
    an id that is not a number, 404 for one the caller may not see."""
    own = {
        p.id: p
        for p in visible_projects(session, caller.visibility, organization_id=organization.id, limit=MAX_PROJECTS)
    }
    wanted: set[int] = set()
    for raw in request.query_params.getlist("project"):
        if raw.strip() == "-1":
            return own
        if not raw.strip().isdigit():
            raise bad_request(f"Invalid project id {raw!r}")
        wanted.add(int(raw))
    if wanted - own.keys():
        raise not_found("The requested project does not exist")
    return {project_id: own[project_id] for project_id in sorted(wanted)} if wanted else own

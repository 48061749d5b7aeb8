"""Organizations: `/api/0/organizations/`, `/organizations/{org}/` and `/organizations/{org}/projects/`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from heron.api.access import ORG_READ, ReadableOrganization
from heron.api.deps import AuthenticatedCaller, Db, public_url
from heron.api.pagination import json_response, paginated_response, requested_page
from heron.api.shapes.organizations import (
    load_project_facts,
    organization_detail_shape,
    organization_shape,
    project_list,
)
from heron.store.organizations import member_roles, visible_organizations, visible_projects

router = APIRouter()


@router.get("/organizations/")
def list_organizations(request: Request, session: Db, caller: AuthenticatedCaller) -> Response:
    """The organizations the caller belongs to (every one for a superuser), by slug."""
    caller.require_any(ORG_READ)
    page = requested_page(request)
    organizations = visible_organizations(session, caller.visibility, offset=page.offset, limit=page.fetch)
    base_url = public_url(request)
    return paginated_response(
        request, page, organizations, lambda rows: [organization_shape(o, base_url) for o in rows]
    )


@router.get("/organizations/{organization_slug}/")
def organization_details(
    request: Request, organization: ReadableOrganization, session: Db, caller: AuthenticatedCaller
) -> Response:
    """One organization, with the caller's role and scopes and its projects."""
    projects = visible_projects(session, caller.visibility, organization_id=organization.id, limit=1000)
    facts = load_project_facts(session, projects, caller.organization_ids)
    role = member_roles(session, caller.user.id, [organization.id]).get(organization.id)
    shape = organization_detail_shape(
        organization,
        public_url(request),
        role,
        caller.scopes,
        project_list(projects, facts, with_organization=False),
    )
    return json_response(shape)


@router.get("/organizations/{organization_slug}/projects/")
def organization_projects(
    request: Request, organization: ReadableOrganization, session: Db, caller: AuthenticatedCaller
) -> Response:
    """The organization's projects, by slug."""
    page = requested_page(request)
    projects = visible_projects(
        session, caller.visibility, organization_id=organization.id, offset=page.offset, limit=page.fetch
    )
    return paginated_response(
        request,
        page,
        projects,
        lambda rows: project_list(
            rows, load_project_facts(session, rows, caller.organization_ids), with_organization=False
        ),
    )

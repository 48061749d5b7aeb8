"""Projects and their DSN keys: `/api/0/projects/`, `/projects/{org}/{project}/` and `…/keys/`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from heron.api.access import PROJECT_READ, ReadableProject
from heron.api.deps import AuthenticatedCaller, Db, public_url
from heron.api.pagination import json_response, paginated_response, requested_page
from heron.api.shapes.organizations import key_shape, load_project_facts, project_detail_shape, project_list
from heron.store.organizations import project_keys, visible_projects

router = APIRouter()


@router.get("/projects/")
def list_projects(request: Request, session: Db, caller: AuthenticatedCaller) -> Response:
    """Every project the caller may see, across organizations, each with its organization."""
    caller.require_any(PROJECT_READ)
    page = requested_page(request)
    projects = visible_projects(session, caller.visibility, offset=page.offset, limit=page.fetch)
    return paginated_response(
        request,
        page,
        projects,
        lambda rows: project_list(
            rows, load_project_facts(session, rows, caller.organization_ids), with_organization=True
        ),
    )


@router.get("/projects/{organization_slug}/{project_slug}/")
def project_details(request: Request, project: ReadableProject, session: Db, caller: AuthenticatedCaller) -> Response:
    """One project, with its organization."""
    facts = load_project_facts(session, [project], caller.organization_ids)
    return json_response(project_detail_shape(project, facts, public_url(request)))


@router.get("/projects/{organization_slug}/{project_slug}/keys/")
def list_project_keys(request: Request, project: ReadableProject, session: Db) -> Response:
    """The project's DSN keys, with DSNs built for this server's public URL."""
    page = requested_page(request)
    keys = project_keys(session, project.id, offset=page.offset, limit=page.fetch)
    base_url = public_url(request)
    return paginated_response(request, page, keys, lambda rows: [key_shape(key, base_url) for key in rows])

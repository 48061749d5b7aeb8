"""The settings index (`/settings/`): the viewer's organizations with their members, teams and projects' settings,
and the viewer's API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from heron.store.organizations import visible_organizations, visible_projects
from heron.web.access import MAX_PROJECTS
from heron.web.deps import Db, SignedIn
from heron.web.templates import render

router = APIRouter()


@router.get("/settings/")
def settings_page(request: Request, viewer: SignedIn, db: Db) -> Response:
    """Links to every settings page the viewer may open."""
    organizations = visible_organizations(db, viewer.visibility, limit=MAX_PROJECTS)
    projects = visible_projects(db, viewer.visibility, limit=MAX_PROJECTS)
    groups = [
        (
            organization,
            [p for p in projects if p.organization_id == organization.id],
            viewer.visibility.manages(organization.id),
        )
        for organization in organizations
    ]
    return render(request, "settings.html", {"groups": groups})

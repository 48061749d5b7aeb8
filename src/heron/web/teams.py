"""An organization's teams page (`/settings/{org}/teams/`): each team with its members and projects; owners and
admins create and delete teams. Who is in a team is set on the members page, which projects a team sees on each
project's settings page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from heron.store.teams import (
    TeamError,
    create_team,
    delete_team,
    organization_teams,
    team_by_slug,
    team_member_emails,
    team_project_slugs,
)
from heron.web.access import managed_organization, organization_for
from heron.web.csrf import posted_form
from heron.web.deps import Db, SignedIn
from heron.web.errors import PageError, not_found
from heron.web.templates import render

router = APIRouter()


@router.get("/settings/{organization_slug}/teams/")
def teams_page(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """The organization's teams, their members and projects."""
    organization = organization_for(db, viewer, organization_slug)
    teams = organization_teams(db, organization.id)
    ids = [team.id for team in teams]
    context = {
        "organization": organization,
        "teams": teams,
        "members": team_member_emails(db, ids),
        "projects": team_project_slugs(db, ids),
        "manages": viewer.visibility.manages(organization.id),
    }
    return render(request, "teams.html", context)


@router.post("/settings/{organization_slug}/teams/")
def add_team(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """Create a team."""
    organization = managed_organization(db, viewer, organization_slug)
    form = posted_form(request)
    try:
        create_team(db, organization.id, str(form.get("slug", "")), str(form.get("name", "")))
    except TeamError as error:
        raise PageError(400, str(error)) from None
    return RedirectResponse(f"/settings/{organization.slug}/teams/", status_code=303)


@router.post("/settings/{organization_slug}/teams/{team_slug}/delete/")
def remove_team(organization_slug: str, team_slug: str, viewer: SignedIn, db: Db) -> Response:
    """Delete a team (its members and projects stay)."""
    organization = managed_organization(db, viewer, organization_slug)
    team = team_by_slug(db, organization.id, team_slug)
    if team is None:
        raise not_found()
    delete_team(db, team)
    return RedirectResponse(f"/settings/{organization.slug}/teams/", status_code=303)

"""An organization's members page (`/settings/{org}/members/`): every member sees who is in it; owners and admins
invite by link (with a role and teams), change roles and teams, remove members and withdraw invitations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from heron.store.accounts import ROLES, AccountError
from heron.store.invites import create_invite, pending_invites, revoke_invite
from heron.store.members import change_member, member_of, organization_member_rows, remove_member
from heron.store.models import Organization
from heron.store.teams import TeamError, organization_teams, teams_in_organization
from heron.store.types import utcnow
from heron.store.web_sessions import Viewer
from heron.web.access import managed_organization, organization_for
from heron.web.csrf import posted_form
from heron.web.deps import Db, SignedIn, services_of
from heron.web.errors import PageError, not_found
from heron.web.forms import id_list
from heron.web.templates import render

router = APIRouter()


@router.get("/settings/{organization_slug}/members/")
def members_page(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """The members, their roles and teams, and (for owners and admins) the pending invitations."""
    organization = organization_for(db, viewer, organization_slug)
    return _page(request, db, viewer, organization)


@router.post("/settings/{organization_slug}/members/invite/")
def invite(request: Request, organization_slug: str, viewer: SignedIn, db: Db) -> Response:
    """Make an invitation and show its link, once."""
    organization = managed_organization(db, viewer, organization_slug)
    form = posted_form(request)
    role = str(form.get("role", "member"))
    if role == "owner" and not viewer.visibility.is_owner(organization.id):
        raise PageError(403, "Only an owner can invite owners.")
    try:
        teams = teams_in_organization(db, organization.id, id_list(form, "team"))
        token = create_invite(
            db, organization, role, teams, email=str(form.get("email", "")), invited_by=viewer.user_id, now=utcnow()
        )
    except (AccountError, TeamError) as error:
        raise PageError(400, str(error)) from None
    link = f"{str(services_of(request).settings.public_url).rstrip('/')}/accept-invite/{token}/"
    return _page(request, db, viewer, organization, invite_link=link)


@router.post("/settings/{organization_slug}/members/{member_id}/")
def change(request: Request, organization_slug: str, member_id: int, viewer: SignedIn, db: Db) -> Response:
    """Save a member's role and teams."""
    organization = managed_organization(db, viewer, organization_slug)
    member = member_of(db, organization.id, member_id)
    if member is None:
        raise not_found()
    form = posted_form(request)
    try:
        change_member(
            db,
            member,
            str(form.get("role", "")),
            id_list(form, "team"),
            by_owner=viewer.visibility.is_owner(organization.id),
        )
    except (AccountError, TeamError) as error:
        raise PageError(400, str(error)) from None
    return _back(organization)


@router.post("/settings/{organization_slug}/members/{member_id}/remove/")
def remove(organization_slug: str, member_id: int, viewer: SignedIn, db: Db) -> Response:
    """Remove a member from the organization."""
    organization = managed_organization(db, viewer, organization_slug)
    member = member_of(db, organization.id, member_id)
    if member is None:
        raise not_found()
    try:
        remove_member(db, member, by_owner=viewer.visibility.is_owner(organization.id))
    except AccountError as error:
        raise PageError(400, str(error)) from None
    return RedirectResponse("/" if member.user_id == viewer.user_id else _members_path(organization), status_code=303)


@router.post("/settings/{organization_slug}/invites/{invite_id}/revoke/")
def withdraw(organization_slug: str, invite_id: int, viewer: SignedIn, db: Db) -> Response:
    """Withdraw a pending invitation (its link stops working)."""
    organization = managed_organization(db, viewer, organization_slug)
    if not revoke_invite(db, organization.id, invite_id):
        raise not_found()
    return _back(organization)


def _page(
    request: Request, db: Db, viewer: Viewer, organization: Organization, *, invite_link: str | None = None
) -> Response:
    manages = viewer.visibility.manages(organization.id)
    teams = organization_teams(db, organization.id)
    context = {
        "organization": organization,
        "rows": organization_member_rows(db, organization.id),
        "teams": teams,
        "team_names": {team.id: team.name for team in teams},
        "invites": pending_invites(db, organization.id, utcnow()) if manages else [],
        "manages": manages,
        "roles": ROLES if viewer.visibility.is_owner(organization.id) else tuple(r for r in ROLES if r != "owner"),
        "invite_link": invite_link,
    }
    return render(request, "members.html", context)


def _members_path(organization: Organization) -> str:
    return f"/settings/{organization.slug}/members/"


def _back(organization: Organization) -> Response:
    return RedirectResponse(_members_path(organization), status_code=303)

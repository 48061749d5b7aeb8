"""Invitations by link: an owner or admin invites with a role and teams, and whoever opens the link (the invited
address only, when one was given) joins. The link's token is shown once; only its sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heron.store.accounts import ROLES, AccountError, add_member
from heron.store.models import Invite, Member, Organization, Team, User
from heron.store.teams import teams_in_organization

INVITE_LIFETIME = timedelta(days=7)


def create_invite(
    session: Session,
    organization: Organization,
    role: str,
    teams: Iterable[Team],
    *,
    email: str | None,
    invited_by: int | None,
    now: datetime,
) -> str:
    """A new invitation; returns the token for the link (`/accept-invite/{token}/`)."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    email = (email or "").strip().lower() or None
    if email is not None and ("@" not in email or len(email) > 254):
        raise AccountError("That is not an email address.")
    team_ids = sorted({team.id for team in teams_in_organization(session, organization.id, (t.id for t in teams))})
    token = secrets.token_urlsafe(24)
    session.add(
        Invite(
            organization_id=organization.id,
            token_hash=_token_hash(token),
            email=email,
            role=role,
            team_ids=team_ids,
            invited_by_id=invited_by,
            date_created=now,
            expires=now + INVITE_LIFETIME,
        )
    )
    session.flush()
    return token


def open_invite(session: Session, token: str, now: datetime) -> Invite | None:
    """The unexpired invitation of a link's token."""
    statement = select(Invite).where(Invite.token_hash == _token_hash(token), Invite.expires > now)
    return session.scalars(statement).first()


def pending_invites(session: Session, organization_id: int, now: datetime) -> list[Invite]:
    """The organization's unexpired invitations, newest first."""
    statement = (
        select(Invite)
        .where(Invite.organization_id == organization_id, Invite.expires > now)
        .order_by(Invite.date_created.desc(), Invite.id.desc())
    )
    return list(session.scalars(statement))


def revoke_invite(session: Session, organization_id: int, invite_id: int) -> bool:
    """Withdraw an invitation; False when the organization has no such invitation."""
    result = session.execute(delete(Invite).where(Invite.id == invite_id, Invite.organization_id == organization_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def accept_invite(session: Session, invite: Invite, user: User) -> Member:
    """Make `user` a member as the invitation says, and use the invitation up."""
    if invite.email is not None and invite.email != user.email:
        raise AccountError(f"This invitation is for {invite.email}.")
    organization = session.get_one(Organization, invite.organization_id)
    if session.scalars(
        select(Member).where(Member.organization_id == organization.id, Member.user_id == user.id)
    ).first():
        raise AccountError(f"You are a member of {organization.name} already.")
    # Teams deleted since the invitation was made are skipped.
    teams = session.scalars(select(Team).where(Team.id.in_(invite.team_ids), Team.organization_id == organization.id))
    member = add_member(session, organization, user, invite.role, teams)
    session.delete(invite)
    session.flush()
    return member


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

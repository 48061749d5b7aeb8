"""An organization's members as its settings manage them: roles, teams, removal. An organization always keeps an
owner, and only owners make, change or remove owners."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heron.store.accounts import ROLES, AccountError
from heron.store.models import Member, Team, User
from heron.store.teams import member_team_ids, set_member_teams, teams_in_organization


@dataclass(frozen=True, slots=True)
class MemberRow:
    member: Member
    user: User
    team_ids: frozenset[int]


def organization_member_rows(session: Session, organization_id: int) -> list[MemberRow]:
    """Every member of the organization with their user and teams, by email."""
    rows = session.execute(
        select(Member, User)
        .join(User, User.id == Member.user_id)
        .where(Member.organization_id == organization_id)
        .order_by(User.email)
    ).all()
    teams = member_team_ids(session, (row.Member.id for row in rows))
    return [MemberRow(row.Member, row.User, frozenset(teams.get(row.Member.id, ()))) for row in rows]


def member_of(session: Session, organization_id: int, member_id: int) -> Member | None:
    """The organization's membership with this id."""
    member = session.get(Member, member_id)
    return member if member is not None and member.organization_id == organization_id else None


def change_member(session: Session, member: Member, role: str, team_ids: list[int], *, by_owner: bool) -> None:
    """Give the member `role` and exactly the teams `team_ids`. AccountError when not allowed."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if (role == "owner" or member.role == "owner") and not by_owner and role != member.role:
        raise AccountError("Only an owner can make or unmake owners.")
    if member.role == "owner" and role != "owner" and _owner_count(session, member.organization_id) == 1:
        raise AccountError("An organization needs an owner: make someone else owner first.")
    teams: list[Team] = teams_in_organization(session, member.organization_id, team_ids)
    member.role = role
    set_member_teams(session, member, teams)
    session.flush()


def remove_member(session: Session, member: Member, *, by_owner: bool) -> None:
    """End the membership (team memberships go with it). AccountError when not allowed."""
    if member.role == "owner" and not by_owner:
        raise AccountError("Only an owner can remove an owner.")
    if member.role == "owner" and _owner_count(session, member.organization_id) == 1:
        raise AccountError("An organization needs an owner: make someone else owner first.")
    session.delete(member)
    session.flush()


def _owner_count(session: Session, organization_id: int) -> int:
    statement = select(func.count()).where(Member.organization_id == organization_id, Member.role == "owner")
    return session.scalar(statement) or 0

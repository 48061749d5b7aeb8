"""Teams: which members belong to which teams, and which teams have access to which projects.

A member with role `member` sees only the projects of their teams; owners and admins see every project of their
organization. Each organization starts with a team named after it (as Sentry does), and a project created without
a team joins the organization's oldest team.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from heron.store.models import Member, Project, ProjectTeam, Team, TeamMember, User

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,49}")


class TeamError(ValueError):
    """A team change that cannot be made (bad or duplicate slug, a team of another organization)."""


def create_team(session: Session, organization_id: int, slug: str, name: str | None = None) -> Team:
    """A new team in the organization."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise TeamError(
            "A team slug is 1 to 50 lowercase letters, digits, '-' or '_', starting with a letter or digit."
        )
    if team_by_slug(session, organization_id, slug) is not None:
        raise TeamError(f"The organization has a team {slug} already.")
    team = Team(organization_id=organization_id, slug=slug, name=(name or "").strip() or slug)
    session.add(team)
    session.flush()
    return team


def team_by_slug(session: Session, organization_id: int, slug: str) -> Team | None:
    """The organization's team with this slug, if any."""
    return session.scalars(select(Team).where(Team.organization_id == organization_id, Team.slug == slug)).first()


def organization_teams(session: Session, organization_id: int) -> list[Team]:
    """The organization's teams, by slug."""
    return list(session.scalars(select(Team).where(Team.organization_id == organization_id).order_by(Team.slug)))


def default_team(session: Session, organization_id: int) -> Team | None:
    """The organization's oldest team, which projects created without a team join."""
    statement = select(Team).where(Team.organization_id == organization_id).order_by(Team.id).limit(1)
    return session.scalars(statement).first()


def teams_in_organization(session: Session, organization_id: int, team_ids: Iterable[int]) -> list[Team]:
    """The teams of `team_ids`; TeamError if any is not a team of the organization."""
    wanted = sorted(set(team_ids))
    if not wanted:
        return []
    teams = list(session.scalars(select(Team).where(Team.id.in_(wanted), Team.organization_id == organization_id)))
    if len(teams) != len(wanted):
        raise TeamError("No such team in this organization.")
    return teams


def set_member_teams(session: Session, member: Member, teams: Iterable[Team]) -> None:
    """Make the member belong to exactly these teams (of the member's organization)."""
    team_ids = _ids_of_organization(teams, member.organization_id)
    session.execute(delete(TeamMember).where(TeamMember.member_id == member.id))
    if team_ids:
        session.execute(insert(TeamMember), [{"team_id": t, "member_id": member.id} for t in team_ids])


def set_project_teams(session: Session, project: Project, teams: Iterable[Team]) -> None:
    """Give exactly these teams (of the project's organization) access to the project."""
    team_ids = _ids_of_organization(teams, project.organization_id)
    session.execute(delete(ProjectTeam).where(ProjectTeam.project_id == project.id))
    if team_ids:
        session.execute(insert(ProjectTeam), [{"project_id": project.id, "team_id": t} for t in team_ids])


def member_team_ids(session: Session, member_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each member's team ids."""
    wanted = sorted(set(member_ids))
    teams: dict[int, set[int]] = defaultdict(set)
    if wanted:
        rows = session.execute(select(TeamMember.member_id, TeamMember.team_id).where(TeamMember.member_id.in_(wanted)))
        for member_id, team_id in rows:
            teams[member_id].add(team_id)
    return teams


def project_team_ids(session: Session, project_ids: Iterable[int]) -> dict[int, set[int]]:
    """The ids of the teams with access to each project."""
    wanted = sorted(set(project_ids))
    teams: dict[int, set[int]] = defaultdict(set)
    if wanted:
        rows = session.execute(
            select(ProjectTeam.project_id, ProjectTeam.team_id).where(ProjectTeam.project_id.in_(wanted))
        )
        for project_id, team_id in rows:
            teams[project_id].add(team_id)
    return teams


def _ids_of_organization(teams: Iterable[Team], organization_id: int) -> list[int]:
    teams = list(teams)
    if any(team.organization_id != organization_id for team in teams):
        raise TeamError("No such team in this organization.")
    return sorted({team.id for team in teams})


def team_member_emails(session: Session, team_ids: Iterable[int]) -> dict[int, list[str]]:
    """The emails of each team's members, sorted."""
    wanted = sorted(set(team_ids))
    emails: dict[int, list[str]] = defaultdict(list)
    if wanted:
        rows = session.execute(
            select(TeamMember.team_id, User.email)
            .join(Member, Member.id == TeamMember.member_id)
            .join(User, User.id == Member.user_id)
            .where(TeamMember.team_id.in_(wanted))
            .order_by(User.email)
        )
        for team_id, email in rows:
            emails[team_id].append(email)
    return emails


def team_project_slugs(session: Session, team_ids: Iterable[int]) -> dict[int, list[str]]:
    """The slugs of each team's projects, sorted."""
    wanted = sorted(set(team_ids))
    slugs: dict[int, list[str]] = defaultdict(list)
    if wanted:
        rows = session.execute(
            select(ProjectTeam.team_id, Project.slug)
            .join(Project, Project.id == ProjectTeam.project_id)
            .where(ProjectTeam.team_id.in_(wanted))
            .order_by(Project.slug)
        )
        for team_id, slug in rows:
            slugs[team_id].append(slug)
    return slugs


def delete_team(session: Session, team: Team) -> None:
    """Delete the team; its members stay in the organization and its projects stay (seen by owners and admins,
    and by the members of their other teams)."""
    session.delete(team)
    session.flush()

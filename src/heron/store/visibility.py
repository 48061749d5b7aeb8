"""What a user may see: their organizations and, within them, the projects their role and teams open.

Owners and admins see every project of their organization; a member (role `member`) sees only the projects of
their teams. Superusers see everything. Pages and the API apply the same rule through the same value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select, true, union
from sqlalchemy.orm import InstrumentedAttribute, Session

from heron.store.models import Member, Project, ProjectTeam, TeamMember

MANAGER_ROLES = frozenset({"owner", "admin"})


@dataclass(frozen=True, slots=True)
class Visibility:
    """`organization_ids` None: every organization (a superuser). `project_ids` None: every project of the
    visible organizations. `roles`: the user's role in each of their organizations."""

    organization_ids: frozenset[int] | None
    project_ids: frozenset[int] | None = None
    roles: dict[int, str] = field(default_factory=dict)

    @classmethod
    def everything(cls) -> Visibility:
        return cls(None, None)

    @classmethod
    def of_organizations(cls, organization_ids: set[int] | frozenset[int]) -> Visibility:
        """Every project of these organizations (as their owner would see them)."""
        ids = frozenset(organization_ids)
        return cls(ids, None, dict.fromkeys(ids, "owner"))

    def organization_filter(self, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose organization id (`column`) is visible."""
        return true() if self.organization_ids is None else column.in_(sorted(self.organization_ids))

    def project_filter(
        self, project_id: InstrumentedAttribute[int], organization_id: InstrumentedAttribute[int]
    ) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose project is visible."""
        if self.project_ids is not None:
            return project_id.in_(sorted(self.project_ids))
        return self.organization_filter(organization_id)

    def sees_project(self, project: Project) -> bool:
        if self.project_ids is not None:
            return project.id in self.project_ids
        return self.organization_ids is None or project.organization_id in self.organization_ids

    def manages(self, organization_id: int) -> bool:
        """Whether the user may change the organization's settings, teams, members and projects."""
        return self.organization_ids is None or self.roles.get(organization_id) in MANAGER_ROLES

    def is_owner(self, organization_id: int) -> bool:
        return self.organization_ids is None or self.roles.get(organization_id) == "owner"


def user_visibility(session: Session, user_id: int, *, superuser: bool) -> Visibility:
    """What the user may see, from their memberships and teams."""
    if superuser:
        return Visibility.everything()
    rows = session.execute(select(Member.organization_id, Member.role).where(Member.user_id == user_id))
    roles = {organization_id: role for organization_id, role in rows}
    if all(role in MANAGER_ROLES for role in roles.values()):
        return Visibility(frozenset(roles), None, roles)
    by_team = (
        select(ProjectTeam.project_id)
        .join(TeamMember, TeamMember.team_id == ProjectTeam.team_id)
        .join(Member, Member.id == TeamMember.member_id)
        .where(Member.user_id == user_id)
    )
    managed = (
        select(Project.id)
        .join(Member, Member.organization_id == Project.organization_id)
        .where(Member.user_id == user_id, Member.role.in_(sorted(MANAGER_ROLES)))
    )
    project_ids = frozenset(session.scalars(union(by_team, managed)))
    return Visibility(frozenset(roles), project_ids, roles)

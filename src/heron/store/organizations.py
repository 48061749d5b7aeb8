"""Reads of organizations and their projects for the API and pages, always scoped to what a user may see
(heron.store.visibility)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heron.store.models import Environment, Issue, Member, Organization, Project, ProjectKey
from heron.store.visibility import Visibility


def visible_organizations(
    session: Session, visibility: Visibility, *, offset: int = 0, limit: int = 100
) -> list[Organization]:
    """The organizations a user may see, by slug."""
    statement = select(Organization).where(visibility.organization_filter(Organization.id))
    return list(session.scalars(statement.order_by(Organization.slug).offset(offset).limit(limit)))


def visible_organization(session: Session, slug: str, visibility: Visibility) -> Organization | None:
    """The organization with this slug, if the user may see it."""
    statement = select(Organization).where(Organization.slug == slug, visibility.organization_filter(Organization.id))
    return session.scalars(statement).first()


def visible_project(session: Session, organization_id: int, slug: str, visibility: Visibility) -> Project | None:
    """The organization's project with this slug, if the user may see it."""
    statement = select(Project).where(
        Project.organization_id == organization_id,
        Project.slug == slug,
        visibility.project_filter(Project.id, Project.organization_id),
    )
    return session.scalars(statement).first()


def visible_projects(
    session: Session,
    visibility: Visibility,
    *,
    organization_id: int | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Project]:
    """Projects the user may see (of one organization when `organization_id` is given), by slug."""
    statement = select(Project).where(visibility.project_filter(Project.id, Project.organization_id))
    if organization_id is not None:
        statement = statement.where(Project.organization_id == organization_id)
    statement = statement.order_by(Project.slug, Project.id).offset(offset).limit(limit)
    return list(session.scalars(statement))


def projects_by_id(session: Session, ids: Iterable[int]) -> dict[int, Project]:
    """Projects by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {project.id: project for project in session.scalars(select(Project).where(Project.id.in_(wanted)))}


def organizations_by_id(session: Session, ids: Iterable[int]) -> dict[int, Organization]:
    """Organizations by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(Organization).where(Organization.id.in_(wanted)))
    return {organization.id: organization for organization in rows}


def member_roles(session: Session, user_id: int, organization_ids: Iterable[int]) -> dict[int, str]:
    """The user's role in each of the organizations they belong to."""
    wanted = sorted(set(organization_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Member.organization_id, Member.role).where(Member.user_id == user_id, Member.organization_id.in_(wanted))
    )
    return {row.organization_id: row.role for row in rows}


def first_event_times(session: Session, project_ids: Iterable[int]) -> dict[int, datetime]:
    """When each project first saw an event (its oldest issue's first sighting); absent if never."""
    wanted = sorted(set(project_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Issue.project_id, func.min(Issue.first_seen))
        .where(Issue.project_id.in_(wanted))
        .group_by(Issue.project_id)
    )
    return {project_id: first_seen for project_id, first_seen in rows}


def environment_names(session: Session, project_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each project's environments, by name."""
    wanted = sorted(set(project_ids))
    names: dict[int, list[str]] = defaultdict(list)
    if wanted:
        rows = session.execute(
            select(Environment.project_id, Environment.name)
            .where(Environment.project_id.in_(wanted))
            .order_by(Environment.name)
        )
        for project_id, name in rows:
            names[project_id].append(name)
    return dict(names)


def project_keys(session: Session, project_id: int, *, offset: int = 0, limit: int = 100) -> list[ProjectKey]:
    """The project's DSN keys, oldest first."""
    statement = (
        select(ProjectKey)
        .where(ProjectKey.project_id == project_id)
        .order_by(ProjectKey.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(statement))

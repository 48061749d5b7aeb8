"""Projects and their DSN keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from heron.store.models import Project, ProjectKey

# The first key of the digest's advisory locks on PostgreSQL ("HERO"); the second is the project id.
_DIGEST_LOCK = {"space": 0x4845524F}


@dataclass(frozen=True, slots=True)
class DigestProject:
    """What the digest needs to know about a project."""

    id: int
    organization_id: int
    grouping_config: str


def digest_projects(session: Session, ids: set[int]) -> dict[int, DigestProject]:
    """The projects of a batch (missing ones, e.g. deleted since ingest, are absent)."""
    rows = session.execute(
        select(Project.id, Project.organization_id, Project.grouping_config).where(Project.id.in_(ids))
    )
    return {row.id: DigestProject(row.id, row.organization_id, row.grouping_config) for row in rows}


def lock_project_for_digest(session: Session, project_id: int) -> None:
    """Serialize the digest's writes to one project until the transaction ends.

    Two digest workers storing the same new issue at once would each create it. SQLite needs nothing here (a
    writing transaction holds the database's only write lock); PostgreSQL takes a transaction-scoped advisory
    lock per project. Callers take several in ascending project order, so workers cannot deadlock.
    """
    if session.get_bind().dialect.name == "postgresql":
        statement = text("SELECT pg_advisory_xact_lock(:space, :project_id)")
        session.execute(statement, {**_DIGEST_LOCK, "project_id": project_id})


def key_by_public_key(session: Session, public_key: str) -> ProjectKey | None:
    """The DSN key with this public key."""
    return session.scalars(select(ProjectKey).where(ProjectKey.public_key == public_key)).first()


def create_project(
    session: Session, organization_id: int, slug: str, name: str | None = None, platform: str | None = None
) -> tuple[Project, ProjectKey]:
    """A new project with its first DSN key."""
    exists = session.scalars(
        select(Project).where(Project.organization_id == organization_id, Project.slug == slug)
    ).first()
    if exists is not None:
        raise ValueError(f"the organization has a project with slug {slug} already")
    project = Project(organization_id=organization_id, slug=slug, name=name or slug, platform=platform)
    session.add(project)
    session.flush()
    return project, create_key(session, project)


def create_key(session: Session, project: Project, label: str = "Default") -> ProjectKey:
    """A new DSN key for the project: 32 lowercase hex, as Relay and every SDK accept."""
    key = ProjectKey(project_id=project.id, public_key=uuid.uuid4().hex, label=label)
    session.add(key)
    session.flush()
    return key


def project_by_slug(session: Session, organization_id: int, slug: str) -> Project | None:
    """The organization's project with this slug, if any."""
    return session.scalars(
        select(Project).where(Project.organization_id == organization_id, Project.slug == slug)
    ).first()

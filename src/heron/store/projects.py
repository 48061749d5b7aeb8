"""Projects and their DSN keys."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from heron.store.models import Project, ProjectKey, Team
from heron.store.teams import SLUG, default_team, set_project_teams

# The first key of the digest's advisory locks on PostgreSQL ("HERO"); the second is the project id.
_DIGEST_LOCK = {"space": 0x4845524F}


@dataclass(frozen=True, slots=True)
class DigestProject:
    """What the digest needs to know about a project."""

    id: int
    organization_id: int
    grouping_config: str
    slow_db_ms: int = 1000
    slow_http_ms: int = 3000
    apdex_ms: int = 300


def digest_projects(session: Session, ids: set[int]) -> dict[int, DigestProject]:
    """The projects of a batch (missing ones, e.g. deleted since ingest, are absent)."""
    columns = (Project.id, Project.organization_id, Project.grouping_config, Project.slow_db_ms,
               Project.slow_http_ms, Project.apdex_ms)  # fmt: skip
    rows = session.execute(select(*columns).where(Project.id.in_(ids)))
    return {row.id: DigestProject(*row) for row in rows}


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
    session: Session,
    organization_id: int,
    slug: str,
    name: str | None = None,
    platform: str | None = None,
    teams: Iterable[Team] | None = None,
    retention_days: int = 90,
) -> tuple[Project, ProjectKey]:
    """A new project with its first DSN key, owned by `teams` (by default the organization's oldest team), keeping
    its events `retention_days` days."""
    exists = session.scalars(
        select(Project).where(Project.organization_id == organization_id, Project.slug == slug)
    ).first()
    if exists is not None:
        raise ValueError(f"the organization has a project with slug {slug} already")
    project = Project(
        organization_id=organization_id, slug=slug, name=name or slug, platform=platform, retention_days=retention_days
    )
    session.add(project)
    session.flush()
    if teams is None:
        oldest = default_team(session, organization_id)
        teams = [oldest] if oldest is not None else []
    set_project_teams(session, project, teams)
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


MAX_RETENTION_DAYS = 3650
MAX_RATE_LIMIT_WINDOW = 86_400


class ProjectSettingsError(ValueError):
    """A project or key setting that cannot be saved; the message says why."""


MAX_THRESHOLD_MS = 3_600_000


def update_project(
    session: Session,
    project: Project,
    *,
    name: str,
    slug: str,
    platform: str,
    retention_days: int,
    thresholds: dict[str, int | None] | None = None,
) -> None:
    """Save the project's settings form (name, slug, platform, retention in days, and the performance thresholds
    `slow_db_ms`, `slow_http_ms`, `apdex_ms`: None keeps one as it is)."""
    for key, value in (thresholds or {}).items():
        if key not in ("slow_db_ms", "slow_http_ms", "apdex_ms"):
            raise ProjectSettingsError(f"unknown threshold {key}")
        if value is not None and not 1 <= value <= MAX_THRESHOLD_MS:
            raise ProjectSettingsError(f"Thresholds are 1 to {MAX_THRESHOLD_MS:,} ms.")
    name, slug, platform = name.strip(), slug.strip().lower(), platform.strip()
    if not name or len(name) > 200:
        raise ProjectSettingsError("A project name is 1 to 200 characters.")
    if not SLUG.fullmatch(slug):
        raise ProjectSettingsError(
            "A project slug is 1 to 50 lowercase letters, digits, '-' or '_', starting with a letter or digit."
        )
    if slug != project.slug and project_by_slug(session, project.organization_id, slug) is not None:
        raise ProjectSettingsError(f"The organization has a project {slug} already.")
    if len(platform) > 64:
        raise ProjectSettingsError("A platform is at most 64 characters.")
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise ProjectSettingsError(f"Retention is 1 to {MAX_RETENTION_DAYS} days.")
    project.name, project.slug, project.platform = name, slug, platform or None
    project.retention_days = retention_days
    for key, value in (thresholds or {}).items():
        if value is not None:
            setattr(project, key, value)
    session.flush()


def project_key(session: Session, project: Project, key_id: int) -> ProjectKey | None:
    """The project's DSN key with this id."""
    key = session.get(ProjectKey, key_id)
    return key if key is not None and key.project_id == project.id else None


def set_key_rate_limit(key: ProjectKey, count: int | None, window: int | None) -> None:
    """At most `count` events per `window` seconds through this key; both None: unlimited."""
    if (count is None) != (window is None):
        raise ProjectSettingsError("A rate limit needs both a number of events and a window, or neither.")
    if count is not None and window is not None:
        if count < 1:
            raise ProjectSettingsError("A rate limit allows at least 1 event.")
        if not 1 <= window <= MAX_RATE_LIMIT_WINDOW:
            raise ProjectSettingsError(f"A rate limit window is 1 to {MAX_RATE_LIMIT_WINDOW} seconds.")
    key.rate_limit_count, key.rate_limit_window = count, window

"""Releases and environments, created as first seen by the digest."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from heron.store.models import Environment, Release, ReleaseProject, table_of
from heron.store.types import utcnow
from heron.store.upsert import insert_ignore


def ensure_releases(session: Session, organization_id: int, project_id: int, versions: Iterable[str]) -> dict[str, int]:
    """Create the releases not seen yet (and link them to the project); returns version → release id."""
    wanted = sorted(set(versions))
    if not wanted:
        return {}
    now = utcnow()
    insert_ignore(
        session,
        table_of(Release),
        [{"organization_id": organization_id, "version": v, "date_created": now} for v in wanted],
        ["organization_id", "version"],
    )
    rows = session.execute(
        select(Release.version, Release.id).where(
            Release.organization_id == organization_id, Release.version.in_(wanted)
        )
    )
    ids = {row.version: row.id for row in rows}
    insert_ignore(
        session,
        table_of(ReleaseProject),
        [{"release_id": i, "project_id": project_id, "first_seen": now} for i in ids.values()],
        ["release_id", "project_id"],
    )
    return ids


def ensure_environments(session: Session, project_id: int, names: Iterable[str]) -> None:
    """Create the project's environments not seen yet."""
    now = utcnow()
    rows = [{"project_id": project_id, "name": name, "first_seen": now} for name in sorted(set(names))]
    insert_ignore(session, table_of(Environment), rows, ["project_id", "name"])


def release_by_version(session: Session, organization_id: int, version: str) -> Release | None:
    """The organization's release with this version."""
    statement = select(Release).where(Release.organization_id == organization_id, Release.version == version)
    return session.scalars(statement).first()


def latest_release(session: Session, project_id: int) -> Release | None:
    """The project's most recently created release (highest id: the order regressions compare by)."""
    statement = (
        select(Release)
        .join(ReleaseProject, ReleaseProject.release_id == Release.id)
        .where(ReleaseProject.project_id == project_id)
        .order_by(Release.id.desc())
        .limit(1)
    )
    return session.scalars(statement).first()

"""First-run setup for `make run`: an admin, an organization and a demo project, printed for the newcomer."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from heron.config import Settings
from heron.protocol.dsn import build_dsn
from heron.store.accounts import (
    create_organization,
    create_token,
    create_user,
    organization_by_slug,
    user_by_email,
)
from heron.store.engine import transaction
from heron.store.models import ProjectKey
from heron.store.projects import create_project, project_by_slug

ADMIN_EMAIL = "admin@heron.local"
ORGANIZATION = "heron"
PROJECT = "demo"


def ensure_demo(settings: Settings, sessions: sessionmaker[Session]) -> list[str]:
    """Create what is missing and return the lines to print: URL, login, API token and DSN."""
    credentials = settings.data_dir / "initial-admin.txt"
    with transaction(sessions) as session:
        admin = user_by_email(session, ADMIN_EMAIL)
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = create_user(session, ADMIN_EMAIL, password, superuser=True, name="Admin")
            api_token = create_token(session, admin, name="make run")
            _write_private(credentials, f"{password}\n{api_token}\n")
        organization = organization_by_slug(session, ORGANIZATION) or create_organization(
            session, ORGANIZATION, "Heron", admin
        )
        project = project_by_slug(session, organization.id, PROJECT)
        if project is None:
            project, _ = create_project(
                session, organization.id, PROJECT, "Demo", "python-flask", retention_days=settings.event_retention_days
            )
        key = session.scalars(
            select(ProjectKey).where(ProjectKey.project_id == project.id, ProjectKey.is_active).order_by(ProjectKey.id)
        ).first()
    password, api_token = [*credentials.read_text().split(), "(unknown)", "(unknown)"][:2]
    dsn = build_dsn(settings.public_url, key.public_key, project.id) if key else "(the demo project has no active key)"
    return [
        f"Heron:     {settings.public_url}",
        f"Login:     {ADMIN_EMAIL} / {password}",
        f"API token: {api_token}",
        f"DSN:       {dsn}",
    ]


def _write_private(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o600)

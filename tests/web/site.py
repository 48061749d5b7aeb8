"""The pages app in-process on a real database, driven through Starlette's TestClient: for page tests that need
no digest (tenancy, CSRF, headers, sign-in, search). Data is written through the store."""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import zstandard
from sqlalchemy.orm import Session, sessionmaker

from heron.config import Settings, load_settings
from heron.store.accounts import add_member, create_organization, create_user
from heron.store.bodies import compress_bytes
from heron.store.engine import make_engine, make_sessionmaker, transaction
from heron.store.events import insert_events
from heron.store.migrate import upgrade
from heron.store.projects import create_project
from heron.web.app import build_pages_app
from tests.store.world import NOW, add_issue

with warnings.catch_warnings():
    # Starlette's TestClient still works on httpx; it only announces a successor.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class PageServices:
    """What the pages app needs of the server: settings and the two session factories."""

    settings: Settings
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]


@dataclass
class Site:
    """The pages app on its own database, and a way to write to that database."""

    services: PageServices
    app: Any
    names: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def db(self) -> Iterator[Session]:
        with transaction(self.services.write_sessions) as session:
            yield session

    def client(self, base_url: str = "http://testserver") -> TestClient:
        return TestClient(self.app, base_url=base_url, follow_redirects=False)

    def organization(self, slug: str, owner_email: str, *, role: str = "owner") -> tuple[int, int]:
        """An organization with one member (created with PASSWORD) and project `app`; (organization id, project id)."""
        with self.db() as session:
            user = create_user(session, owner_email, PASSWORD)
            organization = create_organization(session, slug)
            add_member(session, organization, user, role)
            project, _key = create_project(session, organization.id, "app", platform="python")
            return organization.id, project.id

    def user(self, email: str, *, superuser: bool = False) -> None:
        with self.db() as session:
            create_user(session, email, PASSWORD, superuser=superuser)


def build_site(tmp_path: Path, database_url: str, public_url: str = "http://testserver") -> Site:
    settings = load_settings(data_dir=tmp_path, database_url=database_url, url=public_url)
    url = settings.resolved_database_url
    engine = make_engine(url)
    upgrade(engine)
    writer = make_engine(url, writer=True) if url.startswith("sqlite") else engine
    services = PageServices(settings, make_sessionmaker(engine), make_sessionmaker(writer))
    return Site(services, build_pages_app(services))


def form_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _TOKEN.search(html)
    assert match is not None, "the page has no form token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the form, as a browser does; returns the POST's response."""
    page = client.get("/auth/login/")
    return client.post(
        "/auth/login/", data={"csrf_token": form_token(page.text), "email": email, "password": password, "next": "/"}
    )


def add_event(
    session: Session,
    project_id: int,
    issue_id: int,
    timestamp: datetime,
    *,
    compressor: zstandard.ZstdCompressor | None = None,
    **body: Any,
) -> str:
    """A stored event of the issue (a canonical body with what the test gives, compressed alone or by a project
    dictionary's `compressor`); returns its event id."""
    event_id = uuid.uuid4().hex
    canonical = {"event_id": event_id, "timestamp": timestamp.timestamp(), "level": "error", "platform": "python"}
    canonical.update(body)
    insert_events(
        session,
        [
            {
                "project_id": project_id,
                "issue_id": issue_id,
                "event_id": event_id,
                "timestamp": timestamp,
                "received": timestamp,
                "level": "error",
                "title": str(body.get("title", "an event")),
                "body": compress_bytes(orjson.dumps(canonical), compressor),
            }
        ],
    )
    return event_id


def signed_in_with_issue(site: Site) -> tuple[TestClient, int]:
    """Organization `acme` whose owner is signed in, and an issue of its project with one event."""
    _organization, project = site.organization("acme", "ann@acme.example")
    with site.db() as session:
        issue = add_issue(session, project, "Payment declined")
        add_event(session, project, issue, NOW)
    client = site.client()
    sign_in(client, "ann@acme.example")
    return client, issue

"""A small, fixed world of organizations, projects, users and issues, written through the store, for read tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from heron.store.accounts import add_member, create_organization, create_user
from heron.store.issues import add_issue_users, create_issue
from heron.store.models import IGNORED, RESOLVED, UNRESOLVED, Issue
from heron.store.projects import create_project
from heron.store.tags import add_issue_tag_values

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)


@dataclass
class World:
    """Ids of what `build_world` created, by name."""

    organizations: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    issues: dict[str, int] = field(default_factory=dict)


def add_issue(
    session: Session,
    project_id: int,
    title: str,
    *,
    culprit: str = "",
    status: int = UNRESOLVED,
    first_seen: datetime = NOW,
    last_seen: datetime = NOW,
    times_seen: int = 1,
    tags: dict[str, list[str]] | None = None,
    users: tuple[str, ...] = (),
    assignee_id: int | None = None,
) -> int:
    """An issue with tag values (each seen once) and users, as the digest would have left it."""
    values: dict[str, Any] = {
        "type": "error",
        "title": title,
        "culprit": culprit,
        "level": "error",
        "metadata_": {"title": title},
        "status": status,
        "substatus": None,
        "status_details": {},
        "first_seen": first_seen,
        "last_seen": last_seen,
        "grouping_config": "heron:v1",
        "assignee_id": assignee_id,
    }
    issue_id = create_issue(session, project_id, values)
    session.get_one(Issue, issue_id).times_seen = times_seen
    rows = [
        (issue_id, key, value, 1, first_seen, last_seen)
        for key, tag_values in (tags or {}).items()
        for value in tag_values
    ]
    add_issue_tag_values(session, rows)
    add_issue_users(session, {(issue_id, user_key) for user_key in users})
    session.flush()
    return issue_id


def build_world(session: Session) -> World:
    """Two organizations; acme has projects app and api, globex has web. Issues in app are varied."""
    world = World()
    jane = create_user(session, "jane@acme.example", None)
    bob = create_user(session, "bob@acme.example", None)
    outsider = create_user(session, "eve@globex.example", None)
    world.users = {"jane": jane.id, "bob": bob.id, "eve": outsider.id}
    acme = create_organization(session, "acme", owner=jane)
    add_member(session, acme, bob, "member")
    globex = create_organization(session, "globex", owner=outsider)
    world.organizations = {"acme": acme.id, "globex": globex.id}
    app, _ = create_project(session, acme.id, "app")
    api, _ = create_project(session, acme.id, "api")
    web, _ = create_project(session, globex.id, "web")
    world.projects = {"app": app.id, "api": api.id, "web": web.id}
    world.issues["value_error"] = add_issue(
        session,
        app.id,
        "ValueError: bad value",
        culprit="app.views in checkout",
        first_seen=NOW - timedelta(days=2),
        last_seen=NOW - timedelta(hours=1),
        times_seen=150,
        tags={"environment": ["production"], "release": ["1.0"], "browser": ["Chrome 120"], "handled": ["no"]},
        users=("id:1", "email:jane@example.com"),
    )
    world.issues["key_error"] = add_issue(
        session,
        app.id,
        "KeyError: 'user_id'",
        culprit="app.api in profile",
        status=RESOLVED,
        first_seen=NOW - timedelta(days=10),
        last_seen=NOW - timedelta(days=8),
        times_seen=5,
        tags={"environment": ["staging"], "release": ["1.1"]},
        assignee_id=jane.id,
    )
    world.issues["timeout"] = add_issue(
        session,
        app.id,
        "TimeoutError: db 100% busy",
        culprit="app.db in query_all",
        status=IGNORED,
        first_seen=NOW - timedelta(minutes=30),
        last_seen=NOW - timedelta(minutes=10),
        times_seen=20,
        tags={"environment": ["production", "staging"], "server_name": ["web-1"]},
        users=("username:bob",),
        assignee_id=bob.id,
    )
    world.issues["api_error"] = add_issue(session, api.id, "RuntimeError: api down", times_seen=2)
    world.issues["globex_error"] = add_issue(session, web.id, "ValueError: bad value", times_seen=9)
    return world

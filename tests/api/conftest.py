"""Helpers for API flow tests: tenants with unique slugs, extra users and tokens with chosen scopes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from heron.protocol.dsn import build_dsn
from heron.store.accounts import add_member, create_token, create_user, organization_by_slug
from heron.store.engine import make_engine, make_sessionmaker, transaction
from heron.store.projects import create_project
from heron.store.teams import default_team
from tests.harness import HeronServer, Tenant


def unique_slug(prefix: str = "org") -> str:
    """A slug no other test of the module uses."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_tenant(heron: HeronServer, prefix: str = "org") -> Tenant:
    """A fresh organization with project `app`, its owner and the owner's token."""
    return heron.create_tenant(unique_slug(prefix))


def user_token(
    heron: HeronServer,
    scopes: tuple[str, ...],
    *,
    org_slug: str | None = None,
    role: str = "member",
    superuser: bool = False,
    email: str | None = None,
    in_team: bool = True,
) -> str:
    """A new user (a member of `org_slug`, and of its first team unless `in_team` is false) and a token of theirs
    with `scopes`."""
    engine = make_engine(heron.settings().resolved_database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            user = create_user(session, email or f"{uuid.uuid4().hex[:8]}@example.com", None, superuser=superuser)
            if org_slug is not None:
                organization = organization_by_slug(session, org_slug)
                assert organization is not None
                team = default_team(session, organization.id) if in_team else None
                add_member(session, organization, user, role, [team] if team is not None else [])
            return create_token(session, user, scopes)
    finally:
        engine.dispose()


def add_project(heron: HeronServer, tenant: Tenant, slug: str) -> Tenant:
    """Another project in the tenant's organization, as a Tenant (same owner and token) to send events to."""
    engine = make_engine(heron.settings().resolved_database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            organization = organization_by_slug(session, tenant.org_slug)
            assert organization is not None
            project, key = create_project(session, organization.id, slug, platform="javascript")
            dsn = build_dsn(heron.url, key.public_key, project.id)
            return replace(tenant, project_slug=slug, project_id=project.id, dsn=dsn, public_key=key.public_key)
    finally:
        engine.dispose()


@pytest.fixture
def tenant(heron: HeronServer) -> Tenant:
    """A fresh tenant for one test."""
    return new_tenant(heron)


@pytest.fixture
def api(heron: HeronServer, tenant: Tenant) -> Iterator[httpx.Client]:
    """An API client with the tenant owner's token."""
    with heron.api(tenant.token) as client:
        yield client

"""Tenant isolation: a token of organization A gets 404 — never 403, never data — for anything of organization
B, whether addressed by B's slugs or by B's ids under A's own paths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.api.conftest import new_tenant
from tests.api.sending import error_event, send_and_digest
from tests.harness import HeronServer, Tenant


@dataclass
class Tenants:
    a: Tenant
    b: Tenant
    b_issue: str
    b_event: str
    a_issue: str


@pytest.fixture(scope="module")
def tenants(heron: HeronServer) -> Tenants:
    a, b = new_tenant(heron, "alpha"), new_tenant(heron, "bravo")
    send_and_digest(heron, a, error_event("AlphaError", tags={"secret": "alpha"}))
    b_event = send_and_digest(heron, b, error_event("BravoError", tags={"secret": "bravo"}))[0]
    with heron.api(a.token) as api_a, heron.api(b.token) as api_b:
        a_issue = api_a.get(f"/projects/{a.org_slug}/app/issues/").json()[0]["id"]
        b_issue = api_b.get(f"/projects/{b.org_slug}/app/issues/").json()[0]["id"]
    return Tenants(a, b, b_issue, b_event, a_issue)


@pytest.fixture
def api_a(heron: HeronServer, tenants: Tenants) -> Iterator[httpx.Client]:
    with heron.api(tenants.a.token) as client:
        yield client


def _b_urls(t: Tenants) -> list[str]:
    b, a, issue, event = t.b.org_slug, t.a.org_slug, t.b_issue, t.b_event
    return [
        f"/organizations/{b}/",
        f"/organizations/{b}/projects/",
        f"/organizations/{b}/issues/",
        f"/projects/{b}/app/",
        f"/projects/{b}/app/keys/",
        f"/projects/{b}/app/issues/",
        f"/projects/{b}/app/events/",
        f"/projects/{b}/app/events/{event}/",
        f"/issues/{issue}/",
        f"/issues/{issue}/events/",
        f"/issues/{issue}/events/latest/",
        f"/issues/{issue}/events/oldest/",
        f"/issues/{issue}/events/{event}/",
        f"/issues/{issue}/tags/",
        f"/issues/{issue}/tags/secret/",
        f"/issues/{issue}/tags/secret/values/",
        # B's ids under A's own organization and project
        f"/organizations/{a}/issues/{issue}/",
        f"/organizations/{a}/issues/{issue}/events/",
        f"/organizations/{a}/issues/{issue}/tags/",
        f"/organizations/{a}/issues/{issue}/events/{event}/",
        f"/organizations/{a}/issues/APP-1/events/{event}/",
        f"/projects/{a}/app/events/{event}/",
        f"/issues/{t.a_issue}/events/{event}/",
        # B's issue under B's organization path, but with A's token
        f"/organizations/{b}/issues/{issue}/",
    ]


def test_every_read_of_the_other_organization_is_a_404(api_a: httpx.Client, tenants: Tenants) -> None:
    for url in _b_urls(tenants):
        response = api_a.get(url)
        assert response.status_code == 404, url
        assert "bravo" not in response.text.lower(), url


def test_every_write_of_the_other_organization_is_a_404(
    heron: HeronServer, api_a: httpx.Client, tenants: Tenants
) -> None:
    issue, a = tenants.b_issue, tenants.a.org_slug
    for url in (
        f"/issues/{issue}/",
        f"/organizations/{a}/issues/{issue}/",
        f"/organizations/{tenants.b.org_slug}/issues/{issue}/",
    ):
        assert api_a.put(url, json={"status": "resolved"}).status_code == 404, url
        assert api_a.delete(url).status_code == 404, url
    assert (
        api_a.put(f"/projects/{tenants.b.org_slug}/app/issues/?id={issue}", json={"status": "resolved"}).status_code
        == 404
    )
    assert api_a.put(f"/projects/{a}/app/issues/?id={issue}", json={"status": "resolved"}).status_code == 204
    assert api_a.put(f"/organizations/{a}/issues/?id={issue}", json={"status": "resolved"}).status_code == 204
    with heron.api(tenants.b.token) as api_b:
        untouched = api_b.get(f"/issues/{issue}/")
        assert untouched.status_code == 200 and untouched.json()["status"] == "unresolved"


def test_lists_never_show_the_other_organization(api_a: httpx.Client, tenants: Tenants) -> None:
    a = tenants.a.org_slug
    for url in (
        "/organizations/",
        "/projects/",
        f"/organizations/{a}/projects/",
        f"/organizations/{a}/issues/?query=",
        f"/projects/{a}/app/issues/?query=",
        f"/projects/{a}/app/events/",
        f"/organizations/{a}/issues/?query=BravoError",
    ):
        response = api_a.get(url)
        assert response.status_code == 200, url
        assert tenants.b.org_slug not in response.text and "Bravo" not in response.text, url
    foreign_project = api_a.get(f"/organizations/{a}/issues/", params={"project": tenants.b.project_id})
    assert foreign_project.status_code == 404


def test_an_assignee_from_the_other_organization_is_refused(api_a: httpx.Client, tenants: Tenants) -> None:
    response = api_a.put(f"/issues/{tenants.a_issue}/", json={"assignedTo": tenants.b.email})
    assert response.status_code == 400


def test_a_member_outside_the_projects_teams_sees_the_organization_but_none_of_its_issues(
    heron: HeronServer, tenants: Tenants
) -> None:
    from tests.api.conftest import user_token

    scopes = ("org:read", "project:read", "event:read")
    token = user_token(heron, scopes, org_slug=tenants.a.org_slug, in_team=False)
    with heron.api(token) as api:
        assert api.get(f"/organizations/{tenants.a.org_slug}/").status_code == 200
        assert api.get(f"/organizations/{tenants.a.org_slug}/projects/").json() == []
        assert api.get(f"/projects/{tenants.a.org_slug}/app/issues/").status_code == 404
        assert api.get(f"/organizations/{tenants.a.org_slug}/issues/").json() == []
        assert api.get(f"/issues/{tenants.a_issue}/").status_code == 404
        assert api.get(f"/organizations/{tenants.a.org_slug}/issues/APP-1/").status_code == 404
    admin = user_token(heron, scopes, org_slug=tenants.a.org_slug, role="admin", in_team=False)
    with heron.api(admin) as api:
        assert api.get(f"/issues/{tenants.a_issue}/").status_code == 200
        assert api.get(f"/organizations/{tenants.a.org_slug}/issues/APP-1/").status_code == 200

"""A viewer sees only their organizations' projects, issues and events: anything else is 404, as if it did not
exist. Superusers see everything; nobody sees anything without signing in."""

from __future__ import annotations

import pytest

from heron.store.projects import create_project
from tests.store.world import NOW, add_issue
from tests.web.site import Site, add_event, sign_in


@pytest.fixture
def two_tenants(site: Site) -> dict[str, str]:
    """acme (ann) and globex (gus), each with an issue and an event; the paths of globex's pages."""
    _acme, acme_project = site.organization("acme", "ann@acme.example")
    globex, globex_project = site.organization("globex", "gus@globex.example")
    with site.db() as session:
        acme_issue = add_issue(session, acme_project, "Acme is down")
        add_event(session, acme_project, acme_issue, NOW, title="Acme is down")
        issue = add_issue(session, globex_project, "Globex secret failure")
        event = add_event(session, globex_project, issue, NOW, title="Globex secret failure")
        create_project(session, globex, "billing")
    return {
        "stream": "/organizations/globex/issues/",
        "issue": f"/organizations/globex/issues/{issue}/",
        "event": f"/organizations/globex/issues/{issue}/events/{event}/",
        "issue_under_own_org": f"/organizations/acme/issues/{issue}/",
        "event_under_own_issue": f"/organizations/acme/issues/{acme_issue}/events/{event}/",
        "own_stream_with_their_project": f"/organizations/acme/issues/?project={globex_project}",
    }


def test_another_organizations_pages_are_not_found(site: Site, two_tenants: dict[str, str]) -> None:
    client = site.client()
    sign_in(client, "ann@acme.example")
    for name, path in two_tenants.items():
        response = client.get(path)
        assert response.status_code == 404, name
        assert "Globex" not in response.text, name


def test_the_projects_page_lists_only_the_viewers_organizations(site: Site, two_tenants: dict[str, str]) -> None:
    client = site.client()
    sign_in(client, "ann@acme.example")
    page = client.get("/").text
    assert "/organizations/acme/issues/" in page
    assert "globex" not in page and "billing" not in page


def test_the_stream_shows_only_the_organizations_issues(site: Site, two_tenants: dict[str, str]) -> None:
    client = site.client()
    sign_in(client, "ann@acme.example")
    page = client.get("/organizations/acme/issues/?query=").text
    assert "Acme is down" in page and "Globex" not in page


def test_a_superuser_sees_every_organization(site: Site, two_tenants: dict[str, str]) -> None:
    site.user("root@heron.example", superuser=True)
    client = site.client()
    sign_in(client, "root@heron.example")
    assert "billing" in client.get("/").text
    for path in (two_tenants["stream"], two_tenants["issue"], two_tenants["event"]):
        assert client.get(path).status_code == 200


def test_without_signing_in_every_page_sends_to_the_sign_in_page(site: Site, two_tenants: dict[str, str]) -> None:
    client = site.client()
    for path in ("/", two_tenants["stream"], two_tenants["issue"], two_tenants["event"]):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/auth/login/?next=")


def test_an_event_id_that_is_not_one_is_not_found(site: Site, two_tenants: dict[str, str]) -> None:
    site.user("root@heron.example", superuser=True)
    client = site.client()
    sign_in(client, "root@heron.example")
    assert client.get(two_tenants["issue"] + "events/not-an-id/").status_code == 404
    assert client.get("/organizations/globex/issues/99999999999999999999999/").status_code == 404
    assert client.get("/organizations/globex/issues/abc/").status_code == 404

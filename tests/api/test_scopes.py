"""Token scopes are enforced as Sentry does: reads need a read scope, PUT needs event:write, DELETE event:admin."""

from __future__ import annotations

import httpx

from tests.api.conftest import user_token
from tests.api.sending import error_event, send_and_digest
from tests.harness import HeronServer, Tenant


def _issue_id(api: httpx.Client, tenant: Tenant) -> str:
    return str(api.get(f"/projects/{tenant.org_slug}/app/issues/").json()[0]["id"])


def test_a_read_only_token_reads_but_cannot_change_issues(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    send_and_digest(heron, tenant, error_event())
    issue_id = _issue_id(api, tenant)
    token = user_token(heron, ("org:read", "project:read", "event:read"), org_slug=tenant.org_slug)
    with heron.api(token) as reader:
        assert reader.get(f"/issues/{issue_id}/").status_code == 200
        assert reader.get(f"/issues/{issue_id}/events/latest/").status_code == 200
        refused = reader.put(f"/issues/{issue_id}/", json={"status": "resolved"})
        assert refused.status_code == 403
        assert "event:write" in refused.json()["detail"]
        bulk = reader.put(f"/projects/{tenant.org_slug}/app/issues/?id={issue_id}", json={"status": "resolved"})
        assert bulk.status_code == 403
        assert reader.delete(f"/issues/{issue_id}/").status_code == 403
    assert api.get(f"/issues/{issue_id}/").json()["status"] == "unresolved"


def test_deleting_needs_event_admin(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event())
    issue_id = _issue_id(api, tenant)
    writer_token = user_token(heron, ("event:read", "event:write"), org_slug=tenant.org_slug)
    with heron.api(writer_token) as writer:
        assert writer.put(f"/issues/{issue_id}/", json={"status": "resolved"}).status_code == 200
        assert writer.delete(f"/issues/{issue_id}/").status_code == 403
    admin_token = user_token(heron, ("event:admin",), org_slug=tenant.org_slug)
    with heron.api(admin_token) as admin:
        assert admin.delete(f"/issues/{issue_id}/").status_code == 202


def test_each_resource_needs_its_read_scope(heron: HeronServer, tenant: Tenant) -> None:
    token = user_token(heron, ("member:read",), org_slug=tenant.org_slug)
    with heron.api(token) as client:
        for path in (
            "/organizations/",
            f"/organizations/{tenant.org_slug}/",
            f"/organizations/{tenant.org_slug}/projects/",
            "/projects/",
            f"/projects/{tenant.org_slug}/app/",
            f"/projects/{tenant.org_slug}/app/keys/",
            f"/projects/{tenant.org_slug}/app/issues/",
            f"/organizations/{tenant.org_slug}/issues/",
            f"/projects/{tenant.org_slug}/app/events/",
        ):
            assert client.get(path).status_code == 403, path
    event_token = user_token(heron, ("event:write",), org_slug=tenant.org_slug)
    with heron.api(event_token) as client:
        assert client.get(f"/projects/{tenant.org_slug}/app/issues/").status_code == 200
        assert client.get(f"/projects/{tenant.org_slug}/app/").status_code == 403

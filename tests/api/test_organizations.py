"""Organizations, projects and DSN keys through the running server, in Sentry's shapes."""

from __future__ import annotations

import httpx

from heron.protocol.dsn import parse_dsn
from tests.api.conftest import new_tenant, user_token
from tests.api.sending import error_event, send_and_digest
from tests.harness import HeronServer, Tenant


def test_organizations_list_shows_the_callers_organizations(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    new_tenant(heron)  # another organization, not the caller's
    response = api.get("/organizations/")
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()] == [tenant.org_slug]
    organization = response.json()[0]
    assert organization["links"] == {
        "organizationUrl": f"{heron.url}/organizations/{tenant.org_slug}/",
        "regionUrl": heron.url,
    }
    assert {"id", "name", "dateCreated", "isEarlyAdopter", "require2FA", "requireEmailVerification", "features"} <= set(
        organization
    )
    assert 'rel="next"; results="false"' in response.headers["link"]


def test_organization_details_show_role_access_and_projects(tenant: Tenant, api: httpx.Client) -> None:
    details = api.get(f"/organizations/{tenant.org_slug}/").json()
    assert details["slug"] == tenant.org_slug
    assert details["orgRole"] == "owner"
    assert "event:write" in details["access"]
    assert [p["slug"] for p in details["projects"]] == [tenant.project_slug]


def test_projects_show_first_event_and_environments(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    assert api.get(f"/projects/{tenant.org_slug}/app/").json()["firstEvent"] is None
    send_and_digest(heron, tenant, error_event(environment="production"))
    listed = api.get(f"/organizations/{tenant.org_slug}/projects/").json()
    assert [(p["slug"], p["platform"], p["environments"]) for p in listed] == [("app", "python", ["production"])]
    assert listed[0]["firstEvent"].endswith("Z")
    everywhere = api.get("/projects/").json()
    assert [(p["slug"], p["organization"]["slug"]) for p in everywhere] == [("app", tenant.org_slug)]
    details = api.get(f"/projects/{tenant.org_slug}/app/").json()
    assert details["id"] == str(tenant.project_id)
    assert details["organization"]["slug"] == tenant.org_slug


def test_keys_carry_the_dsn_and_report_endpoints(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    keys = api.get(f"/projects/{tenant.org_slug}/app/keys/").json()
    assert len(keys) == 1
    key = keys[0]
    assert key["public"] == key["id"] == tenant.public_key
    assert key["isActive"] is True and key["projectId"] == tenant.project_id
    assert key["dsn"]["public"] == tenant.dsn
    assert parse_dsn(key["dsn"]["public"]).project_id == tenant.project_id
    base = f"{heron.url}/api/{tenant.project_id}"
    assert key["dsn"]["csp"] == f"{base}/csp-report/?sentry_key={tenant.public_key}"
    assert key["dsn"]["security"] == f"{base}/security/?sentry_key={tenant.public_key}"
    assert key["dsn"]["minidump"] == f"{base}/minidump/?sentry_key={tenant.public_key}"


def test_superusers_see_every_organization(heron: HeronServer, tenant: Tenant) -> None:
    token = user_token(heron, ("org:read", "project:read"), superuser=True)
    with heron.api(token) as admin:
        slugs = {o["slug"] for o in admin.get("/organizations/").json()}
        assert tenant.org_slug in slugs
        assert admin.get(f"/organizations/{tenant.org_slug}/").status_code == 200
        assert admin.get(f"/projects/{tenant.org_slug}/app/keys/").status_code == 200


def test_requests_without_a_valid_token_are_refused(heron: HeronServer, tenant: Tenant) -> None:
    assert httpx.get(f"{heron.url}/api/0/organizations/").status_code == 401
    with heron.api("heron_not-a-token") as stranger:
        response = stranger.get(f"/organizations/{tenant.org_slug}/")
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}

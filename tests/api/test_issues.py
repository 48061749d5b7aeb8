"""Issue lists and details through the running server: shape, search, sorting, windows, pagination."""

from __future__ import annotations

import re
import time

import httpx

from tests.api.conftest import add_project, new_tenant
from tests.api.sending import error_event, send_and_digest, send_events
from tests.harness import HeronServer, Tenant

LINK = re.compile(r'<([^>]*)>; rel="(previous|next)"; results="(true|false)"; cursor="([^"]*)"')


def _links(response: httpx.Response) -> dict[str, tuple[str, bool, str]]:
    return {
        rel: (url, results == "true", cursor) for url, rel, results, cursor in LINK.findall(response.headers["link"])
    }


def test_issue_list_shape(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    unhandled = error_event("ZeroDivisionError", "division by zero", user={"id": "42"})
    unhandled["exception"]["values"][0]["mechanism"] = {"type": "flask", "handled": False}
    send_and_digest(heron, tenant, unhandled, error_event("ZeroDivisionError", "division by zero"))
    issues = api.get(f"/projects/{tenant.org_slug}/app/issues/").json()
    assert len(issues) == 1
    issue = issues[0]
    assert issue["id"].isdigit()
    assert issue["shortId"] == "APP-1"
    assert issue["title"] == "ZeroDivisionError: division by zero"
    assert issue["culprit"] == "app.views in checkout"
    assert (issue["level"], issue["status"], issue["substatus"]) == ("error", "unresolved", "new")
    assert (issue["count"], issue["userCount"]) == ("2", 1)
    assert issue["isUnhandled"] is True
    assert issue["firstSeen"].endswith("Z") and issue["lastSeen"].endswith("Z")
    assert issue["project"] == {"id": str(tenant.project_id), "name": "app", "slug": "app", "platform": "python"}
    assert issue["permalink"] == f"{heron.url}/organizations/{tenant.org_slug}/issues/{issue['id']}/"
    assert issue["metadata"]["type"] == "ZeroDivisionError"
    assert (issue["assignedTo"], issue["statusDetails"], issue["annotations"]) == (None, {}, [])
    assert (issue["numComments"], issue["isPublic"], issue["isBookmarked"], issue["hasSeen"]) == (
        0,
        False,
        False,
        False,
    )
    assert issue["shareId"] is None and issue["type"] == "error" and issue["platform"] == "python"


def test_issue_details_by_id_and_by_short_id(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event(release="2.0.0"))
    issue = api.get(f"/projects/{tenant.org_slug}/app/issues/").json()[0]
    details = api.get(f"/issues/{issue['id']}/").json()
    assert details["id"] == issue["id"] and details["firstRelease"] == {"version": "2.0.0"}
    assert [entry["type"] for entry in details["activity"]] == ["first_seen"] and details["userReportCount"] == 0
    by_org = api.get(f"/organizations/{tenant.org_slug}/issues/{issue['id']}/").json()
    by_short_id = api.get(f"/organizations/{tenant.org_slug}/issues/{issue['shortId']}/").json()
    assert by_org["id"] == by_short_id["id"] == issue["id"]
    assert api.get(f"/issues/{issue['shortId']}/").status_code == 404
    assert api.get("/issues/999999999/").status_code == 404


def test_pagination_follows_sentrys_link_header(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_events(heron, tenant, (error_event(f"Error{index}", "boom") for index in range(105)))
    heron.wait_for_digest()
    first = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"query": "boom"})
    assert first.status_code == 200 and len(first.json()) == 100
    links = _links(first)
    assert links["previous"][1] is False and links["next"][1] is True
    next_url, _, cursor = links["next"]
    assert f"cursor={cursor}" in next_url and "query=boom" in next_url
    second = api.get(next_url)
    assert len(second.json()) == 5
    assert _links(second)["next"][1] is False and _links(second)["previous"][1] is True
    seen = {i["id"] for i in first.json()} | {i["id"] for i in second.json()}
    assert len(seen) == 105
    small = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"limit": 10, "query": "boom"})
    assert len(small.json()) == 10 and _links(small)["next"][2] == "10:1:0"
    assert api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"cursor": "nonsense"}).status_code == 400


def test_default_query_is_unresolved_and_an_empty_query_lists_all(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    send_and_digest(heron, tenant, error_event("KeyError"), error_event("IndexError"))
    issues = api.get(f"/projects/{tenant.org_slug}/app/issues/").json()
    api.put(f"/issues/{issues[0]['id']}/", json={"status": "resolved"}).raise_for_status()
    assert len(api.get(f"/projects/{tenant.org_slug}/app/issues/").json()) == 1
    assert len(api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"query": ""}).json()) == 2
    resolved = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"query": "is:resolved"}).json()
    assert [i["id"] for i in resolved] == [issues[0]["id"]]


def test_search_by_tags_user_and_text(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(
        heron,
        tenant,
        error_event("KeyError", "'cart'", environment="production", user={"email": "jane@example.com"}),
        error_event("IndexError", "list index", environment="staging", tags={"tenant": "blue"}),
    )

    def titles(query: str) -> list[str]:
        response = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"query": query})
        assert response.status_code == 200, response.text
        return sorted(issue["title"] for issue in response.json())

    assert titles("environment:production") == ["KeyError: 'cart'"]
    assert titles("!environment:production") == ["IndexError: list index"]
    assert titles("tenant:blue") == ["IndexError: list index"]
    assert titles("user.email:jane@example.com") == ["KeyError: 'cart'"]
    assert titles('"list index"') == ["IndexError: list index"]
    assert titles("level:error times_seen:1") == ["IndexError: list index", "KeyError: 'cart'"]
    assert titles("firstSeen:+1d") == []


def test_a_bad_query_is_a_400_with_the_reason(tenant: Tenant, api: httpx.Client) -> None:
    for params, message in (
        ({"query": "is:sleeping"}, "invalid is:sleeping"),
        ({"query": 'title:"open'}, "unterminated quote"),
        ({"sort": "random"}, "Invalid sort"),
        ({"statsPeriod": "forever"}, "invalid period"),
    ):
        response = api.get(f"/projects/{tenant.org_slug}/app/issues/", params=params)
        assert response.status_code == 400
        assert message in response.json()["detail"]


def test_sort_orders(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event("Frequent"), error_event("Frequent"), error_event("Frequent"))
    time.sleep(0.01)
    send_and_digest(heron, tenant, error_event("Recent"))

    def order(sort: str) -> list[str]:
        issues = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"sort": sort}).json()
        return [issue["metadata"]["type"] for issue in issues]

    assert order("date") == ["Recent", "Frequent"]
    assert order("new") == ["Recent", "Frequent"]
    assert order("freq") == ["Frequent", "Recent"]


def test_stats_period_limits_last_seen(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    three_days_ago = time.time() - 3 * 86400
    send_and_digest(heron, tenant, error_event("Old", timestamp=three_days_ago), error_event("New"))
    recent = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"statsPeriod": "24h"}).json()
    assert [issue["metadata"]["type"] for issue in recent] == ["New"]
    fortnight = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"statsPeriod": "14d"}).json()
    assert len(fortnight) == 2


def test_organization_issue_list_spans_projects_and_filters_by_project(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    frontend = add_project(heron, tenant, "frontend")
    send_and_digest(heron, tenant, error_event("AppError"))
    send_and_digest(heron, frontend, error_event("FrontendError", environment="production"))

    def types(**params: object) -> list[str]:
        response = api.get(f"/organizations/{tenant.org_slug}/issues/", params=params)
        assert response.status_code == 200, response.text
        return sorted(issue["metadata"]["type"] for issue in response.json())

    assert types() == ["AppError", "FrontendError"]
    assert types(project="-1") == ["AppError", "FrontendError"]
    assert types(project=tenant.project_id) == ["AppError"]
    assert types(project=[tenant.project_id, frontend.project_id]) == ["AppError", "FrontendError"]
    assert types(environment="production") == ["FrontendError"]
    other = new_tenant(heron)
    foreign = api.get(f"/organizations/{tenant.org_slug}/issues/", params={"project": other.project_id})
    assert foreign.status_code == 404

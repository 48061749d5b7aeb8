"""An issue's tags through the running server: keys with top values, one key, and all values paged."""

from __future__ import annotations

import httpx

from tests.api.sending import error_event, send_and_digest
from tests.harness import HeronServer, Tenant


def test_tags_summarise_each_key_with_its_top_values(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    browsers = ["Chrome"] * 3 + ["Firefox"] * 2 + ["Safari"]
    send_and_digest(heron, tenant, *(error_event(tags={"browser": name}) for name in browsers))
    issue_id = api.get(f"/projects/{tenant.org_slug}/app/issues/").json()[0]["id"]
    tags = {tag["key"]: tag for tag in api.get(f"/issues/{issue_id}/tags/").json()}
    assert {"browser", "level", "handled", "mechanism"} <= set(tags)
    browser = tags["browser"]
    assert (browser["name"], browser["totalValues"], browser["uniqueValues"]) == ("Browser", 6, 3)
    assert [(v["value"], v["count"]) for v in browser["topValues"]] == [("Chrome", 3), ("Firefox", 2), ("Safari", 1)]
    top = browser["topValues"][0]
    assert top["key"] == "browser" and top["name"] == "Chrome"
    assert top["firstSeen"].endswith("Z") and top["lastSeen"].endswith("Z")
    only = api.get(f"/issues/{issue_id}/tags/", params={"key": "browser", "limit": 1}).json()
    assert [(t["key"], len(t["topValues"])) for t in only] == [("browser", 1)]
    one = api.get(f"/organizations/{tenant.org_slug}/issues/{issue_id}/tags/browser/").json()
    assert one["totalValues"] == 6
    assert api.get(f"/issues/{issue_id}/tags/nothing/").status_code == 404


def test_tag_values_are_paged_and_sorted(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(
        heron, tenant, *(error_event(tags={"shard": f"s{i}"}) for i in range(3)), error_event(tags={"shard": "s2"})
    )
    issue_id = api.get(f"/projects/{tenant.org_slug}/app/issues/").json()[0]["id"]
    by_count = api.get(f"/issues/{issue_id}/tags/shard/values/", params={"sort": "-count"}).json()
    assert [(v["value"], v["count"]) for v in by_count] == [("s2", 2), ("s0", 1), ("s1", 1)]
    page = api.get(f"/issues/{issue_id}/tags/shard/values/", params={"per_page": 2, "sort": "count"})
    assert len(page.json()) == 2 and 'rel="next"; results="true"' in page.headers["link"]
    assert api.get(f"/issues/{issue_id}/tags/shard/values/", params={"sort": "random"}).status_code == 400
    assert api.get(f"/issues/{issue_id}/tags/nothing/values/").status_code == 404

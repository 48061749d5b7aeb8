"""Changing issues through the running server: resolve (now, in a release, in the next release), ignore with
conditions, assign, delete, bulk updates — and what new events then do to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.api.conftest import new_tenant, user_token
from tests.api.sending import error_event, send_and_digest
from tests.harness import HeronServer, Tenant


def _only_issue(api: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    issues = api.get(f"/projects/{tenant.org_slug}/app/issues/", params={"query": ""}).json()
    assert len(issues) == 1
    return issues[0]  # type: ignore[no-any-return]


def _put(api: httpx.Client, issue_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.put(f"/issues/{issue_id}/", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_resolved_issue_regresses_on_a_new_event(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event())
    issue = _only_issue(api, tenant)
    resolved = _put(api, issue["id"], {"status": "resolved"})
    assert (resolved["status"], resolved["substatus"], resolved["statusDetails"]) == ("resolved", None, {})
    send_and_digest(heron, tenant, error_event())
    again = api.get(f"/issues/{issue['id']}/").json()
    assert (again["status"], again["substatus"], again["count"]) == ("unresolved", "regressed", "2")
    # The activity, newest first: the digest's regression, the token owner's resolve, the first sighting.
    activity = [(entry["type"], (entry["user"] or {}).get("email")) for entry in again["activity"]]
    assert activity == [("set_regression", None), ("set_resolved", tenant.email), ("first_seen", None)]


def test_resolved_in_a_release_regresses_only_on_newer_releases(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    send_and_digest(heron, tenant, error_event(release="1.0"))
    issue = _only_issue(api, tenant)
    resolved = _put(api, issue["id"], {"status": "resolved", "statusDetails": {"inRelease": "1.0"}})
    assert resolved["statusDetails"] == {"inRelease": "1.0"}
    send_and_digest(heron, tenant, error_event(release="1.0"))
    assert api.get(f"/issues/{issue['id']}/").json()["status"] == "resolved"
    send_and_digest(heron, tenant, error_event(release="1.1"))
    assert api.get(f"/issues/{issue['id']}/").json()["substatus"] == "regressed"
    unknown = api.put(f"/issues/{issue['id']}/", json={"status": "resolved", "statusDetails": {"inRelease": "9.9"}})
    assert unknown.status_code == 400 and "release" in unknown.json()["detail"]


def test_resolved_in_next_release_waits_for_a_release_after_the_latest(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    send_and_digest(heron, tenant, error_event(release="3.0"))
    issue = _only_issue(api, tenant)
    resolved = _put(api, issue["id"], {"status": "resolvedInNextRelease"})
    assert (resolved["status"], resolved["statusDetails"]) == ("resolved", {"inNextRelease": True})
    send_and_digest(heron, tenant, error_event(release="3.0"))
    assert api.get(f"/issues/{issue['id']}/").json()["status"] == "resolved"
    send_and_digest(heron, tenant, error_event(release="3.1"))
    assert api.get(f"/issues/{issue['id']}/").json()["substatus"] == "regressed"


def test_resolved_in_next_release_without_releases_is_a_plain_resolve(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    send_and_digest(heron, tenant, error_event())
    issue = _only_issue(api, tenant)
    resolved = _put(api, issue["id"], {"status": "resolved", "statusDetails": {"inNextRelease": True}})
    assert resolved["statusDetails"] == {}
    send_and_digest(heron, tenant, error_event())
    assert api.get(f"/issues/{issue['id']}/").json()["substatus"] == "regressed"


def test_an_issue_ignored_for_n_events_comes_back_after_them(
    heron: HeronServer, tenant: Tenant, api: httpx.Client
) -> None:
    send_and_digest(heron, tenant, error_event(), error_event())
    issue = _only_issue(api, tenant)
    ignored = _put(api, issue["id"], {"status": "ignored", "statusDetails": {"ignoreCount": 2}})
    assert (ignored["status"], ignored["substatus"]) == ("ignored", "archived_until_condition_met")
    assert ignored["statusDetails"] == {"ignoreCount": 2}
    send_and_digest(heron, tenant, error_event())
    assert api.get(f"/issues/{issue['id']}/").json()["status"] == "ignored"
    send_and_digest(heron, tenant, error_event())
    back = api.get(f"/issues/{issue['id']}/").json()
    assert (back["status"], back["substatus"], back["count"]) == ("unresolved", "escalating", "4")


def test_ignore_for_a_duration_and_forever(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event())
    issue = _only_issue(api, tenant)
    snoozed = _put(api, issue["id"], {"status": "ignored", "statusDetails": {"ignoreDuration": 30}})
    until = datetime.fromisoformat(snoozed["statusDetails"]["ignoreUntil"].replace("Z", "+00:00"))
    assert timedelta(minutes=29) < until - datetime.now(UTC) <= timedelta(minutes=30)
    forever = _put(api, issue["id"], {"status": "ignored"})
    assert (forever["substatus"], forever["statusDetails"]) == ("archived_forever", {})
    send_and_digest(heron, tenant, error_event())
    assert api.get(f"/issues/{issue['id']}/").json()["status"] == "ignored"
    unresolved = _put(api, issue["id"], {"status": "unresolved"})
    assert (unresolved["status"], unresolved["substatus"]) == ("unresolved", "ongoing")


def test_assign_by_email_or_id_and_clear(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    user_token(heron, ("event:read",), org_slug=tenant.org_slug, email=f"dev@{tenant.org_slug}.example")
    send_and_digest(heron, tenant, error_event())
    issue = _only_issue(api, tenant)
    by_email = _put(api, issue["id"], {"assignedTo": f"DEV@{tenant.org_slug}.example"})
    assignee = by_email["assignedTo"]
    assert (assignee["type"], assignee["email"]) == ("user", f"dev@{tenant.org_slug}.example")
    assert _put(api, issue["id"], {"assignedTo": f"user:{assignee['id']}"})["assignedTo"]["id"] == assignee["id"]
    assert _put(api, issue["id"], {"assignedTo": assignee["id"]})["assignedTo"]["id"] == assignee["id"]
    mine = api.get(
        f"/projects/{tenant.org_slug}/app/issues/", params={"query": f"assigned:dev@{tenant.org_slug}.example"}
    )
    assert [i["id"] for i in mine.json()] == [issue["id"]]
    assert _put(api, issue["id"], {"assignedTo": ""})["assignedTo"] is None
    assert _put(api, issue["id"], {"assignedTo": None})["assignedTo"] is None
    owner_mine = _put(api, issue["id"], {"assignedTo": tenant.email})
    assert owner_mine["assignedTo"]["email"] == tenant.email
    assert [i["id"] for i in api.get(f"/projects/{tenant.org_slug}/app/issues/?query=assigned:me").json()] == [
        issue["id"]
    ]


def test_only_members_can_be_assigned(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    other = new_tenant(heron)
    send_and_digest(heron, tenant, error_event())
    issue = _only_issue(api, tenant)
    for assignee in (other.email, "nobody@example.com", "team:1"):
        response = api.put(f"/issues/{issue['id']}/", json={"assignedTo": assignee})
        assert response.status_code == 400, assignee
    assert api.get(f"/issues/{issue['id']}/").json()["assignedTo"] is None


def test_bad_bodies_are_refused(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event())
    issue = _only_issue(api, tenant)
    for body in (
        {"status": "done"},
        {"status": "ignored", "statusDetails": {"ignoreCount": -1}},
        {"status": "ignored", "ignoreDuration": "soon"},
        {"merge": True},
        {"statusDetails": "resolved"},
    ):
        response = api.put(f"/issues/{issue['id']}/", json=body)
        assert response.status_code == 400, body
        assert response.json()["detail"]
    assert api.put(f"/issues/{issue['id']}/", content=b"[1, 2]").status_code == 400


def test_delete_removes_the_issue_and_its_events(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    event_id = send_and_digest(heron, tenant, error_event())[0]
    issue = _only_issue(api, tenant)
    assert api.delete(f"/issues/{issue['id']}/").status_code == 202
    assert api.get(f"/issues/{issue['id']}/").status_code == 404
    assert api.get(f"/projects/{tenant.org_slug}/app/events/{event_id}/").status_code == 404
    send_and_digest(heron, tenant, error_event())
    assert (issue["shortId"], _only_issue(api, tenant)["shortId"]) == ("APP-1", "APP-2")


def test_bulk_update_by_ids_and_by_status(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event("A"), error_event("B"), error_event("C"))
    issues = api.get(f"/projects/{tenant.org_slug}/app/issues/").json()
    ids = [issue["id"] for issue in issues]
    path = f"/projects/{tenant.org_slug}/app/issues/"
    response = api.put(f"{path}?id={ids[0]}&id={ids[1]}", json={"status": "resolved"})
    assert response.status_code == 200
    assert response.json() == {"status": "resolved", "statusDetails": {}}
    assert [i["id"] for i in api.get(path).json()] == [ids[2]]
    muted = api.put(path, params={"status": "unresolved"}, json={"status": "ignored", "snoozeDuration": None})
    assert muted.json()["status"] == "ignored"
    assert api.get(path).json() == []
    everything = api.put(path, params={"query": ""}, json={"status": "unresolved"})
    assert everything.status_code == 200
    assert len(api.get(path).json()) == 3
    other = new_tenant(heron)
    send_and_digest(heron, other, error_event("Foreign"))
    with heron.api(other.token) as other_api:
        foreign_id = other_api.get(f"/projects/{other.org_slug}/app/issues/").json()[0]["id"]
    assert api.put(f"{path}?id={foreign_id}", json={"status": "resolved"}).status_code == 204

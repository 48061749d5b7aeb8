"""Events through the running server: an event sent by the real sentry-python SDK and one with a message and an
HTTP request, read back in Sentry's shapes, with their neighbours."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import sentry_sdk

from tests.api.sending import error_event, send_and_digest
from tests.harness import HeronServer, Tenant


def _capture_with_sdk(heron: HeronServer, tenant: Tenant) -> str:
    """An exception captured by sentry-python with breadcrumbs, user, tags and extra; returns its event id."""
    client = sentry_sdk.Client(
        dsn=tenant.dsn, release="shop@1.2.3", environment="production", default_integrations=False
    )
    try:
        with sentry_sdk.new_scope() as scope:
            scope.set_client(client)
            scope.set_user({"id": "42", "email": "jane@example.com"})
            scope.set_tag("tenant", "blue")
            scope.set_extra("cart_size", 3)
            scope.add_breadcrumb(category="auth", message="user logged in", level="info")
            try:
                {}["missing"]
            except KeyError as error:
                event_id = sentry_sdk.capture_exception(error)
        client.flush(timeout=10)
    finally:
        client.close()
    assert event_id is not None
    heron.wait_for_digest()
    return event_id


def _entry(event: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [entry["data"] for entry in event["entries"] if entry["type"] == kind]
    assert len(found) == 1, [entry["type"] for entry in event["entries"]]
    return found[0]  # type: ignore[no-any-return]


def test_an_sdk_event_reads_back_in_sentrys_shape(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    event_id = _capture_with_sdk(heron, tenant)
    event = api.get(f"/projects/{tenant.org_slug}/app/events/{event_id}/").json()
    assert event["id"] == event["eventID"] == event_id
    assert event["projectID"] == str(tenant.project_id) and event["groupID"].isdigit()
    assert (event["type"], event["platform"], event["title"]) == ("error", "python", "KeyError: 'missing'")
    assert event["release"] == {"version": "shop@1.2.3"}
    assert {"key": "environment", "value": "production"} in event["tags"]
    assert {"key": "tenant", "value": "blue"} in event["tags"]
    assert event["tags"] == sorted(event["tags"], key=lambda tag: tag["key"])
    assert event["user"]["id"] == "42" and event["user"]["email"] == "jane@example.com"
    assert event["context"] == {"cart_size": 3}
    assert event["sdk"]["name"] == "sentry.python"
    assert event["fingerprints"] and all(len(h) == 32 for h in event["fingerprints"])
    assert event["dateCreated"].endswith("Z") and event["dateReceived"].endswith("Z")
    assert event["crashFile"] is None and event["size"] > 0
    exception = _entry(event, "exception")
    assert exception["excOmitted"] is None
    value = exception["values"][-1]
    assert (value["type"], value["value"]) == ("KeyError", "'missing'")
    frame = value["stacktrace"]["frames"][-1]
    assert frame["function"] == "_capture_with_sdk" and frame["inApp"] is True
    assert isinstance(frame["lineNo"], int)
    assert [frame["lineNo"], '                {}["missing"]'] in frame["context"]
    crumbs = _entry(event, "breadcrumbs")["values"]
    assert any(c["category"] == "auth" and c["message"] == "user logged in" for c in crumbs)
    assert all(c["timestamp"].endswith("Z") for c in crumbs)
    assert event["entries"][0]["type"] == "exception"
    assert event["previousEventID"] is None and event["nextEventID"] is None


def test_message_and_request_entries(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    event = {
        "event_id": uuid.uuid4().hex,
        "timestamp": time.time(),
        "platform": "python",
        "level": "warning",
        "logentry": {"message": "payment %s declined", "params": ["#12"]},
        "request": {
            "url": "https://shop.example/checkout",
            "method": "POST",
            "query_string": "step=2",
            "headers": {"User-Agent": "curl/8.0"},
        },
    }
    event_id = send_and_digest(heron, tenant, event)[0]
    shape = api.get(f"/projects/{tenant.org_slug}/app/events/{event_id}/").json()
    assert shape["type"] == "default"
    assert shape["message"] == "payment #12 declined"
    message = _entry(shape, "message")
    assert (message["formatted"], message["message"], message["params"]) == (
        "payment #12 declined",
        "payment %s declined",
        ["#12"],
    )
    request = _entry(shape, "request")
    assert (request["url"], request["method"]) == ("https://shop.example/checkout", "POST")
    assert ["step", "2"] in request["query"]
    assert ["User-Agent", "curl/8.0"] in request["headers"]
    assert [entry["type"] for entry in shape["entries"]] == ["request", "message"]


def test_issue_events_latest_oldest_and_neighbours(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    start = time.time() - 60
    ids = send_and_digest(heron, tenant, *(error_event(timestamp=start + index) for index in range(3)))
    issue_id = api.get(f"/projects/{tenant.org_slug}/app/issues/").json()[0]["id"]
    listed = api.get(f"/issues/{issue_id}/events/")
    assert [e["eventID"] for e in listed.json()] == ids[::-1]
    assert "entries" not in listed.json()[0] and listed.json()[0]["event.type"] == "error"
    assert 'rel="next"; results="false"' in listed.headers["link"]
    full = api.get(f"/issues/{issue_id}/events/", params={"full": "true"}).json()
    assert full[0]["entries"][0]["type"] == "exception"
    latest = api.get(f"/issues/{issue_id}/events/latest/").json()
    oldest = api.get(f"/issues/{issue_id}/events/oldest/").json()
    assert (latest["eventID"], latest["previousEventID"], latest["nextEventID"]) == (ids[2], ids[1], None)
    assert (oldest["eventID"], oldest["previousEventID"], oldest["nextEventID"]) == (ids[0], None, ids[1])
    middle = api.get(f"/organizations/{tenant.org_slug}/issues/{issue_id}/events/{ids[1]}/").json()
    assert (middle["previousEventID"], middle["nextEventID"]) == (ids[0], ids[2])
    dashed = str(uuid.UUID(ids[1]))
    assert api.get(f"/issues/{issue_id}/events/{dashed}/").json()["eventID"] == ids[1]
    assert api.get(f"/issues/{issue_id}/events/recommended/").json()["eventID"] == ids[2]


def test_events_of_another_issue_or_unknown_ids_are_404(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    first, second = send_and_digest(heron, tenant, error_event("A"), error_event("B"))
    issues = {i["metadata"]["type"]: i["id"] for i in api.get(f"/projects/{tenant.org_slug}/app/issues/").json()}
    assert api.get(f"/issues/{issues['A']}/events/{first}/").status_code == 200
    assert api.get(f"/issues/{issues['A']}/events/{second}/").status_code == 404
    assert api.get(f"/issues/{issues['A']}/events/not-an-id/").status_code == 404
    assert api.get(f"/projects/{tenant.org_slug}/app/events/{uuid.uuid4().hex}/").status_code == 404


def test_project_events_list_newest_first(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    start = time.time() - 60
    ids = send_and_digest(heron, tenant, error_event("A", timestamp=start), error_event("B", timestamp=start + 1))
    listed = api.get(f"/projects/{tenant.org_slug}/app/events/").json()
    assert [e["eventID"] for e in listed] == ids[::-1]
    assert listed[0]["title"] == "B: bad value" and listed[0]["user"] is None
    detail = api.get(f"/projects/{tenant.org_slug}/app/events/{ids[1]}/").json()
    assert (detail["previousEventID"], detail["nextEventID"]) == (ids[0], None)

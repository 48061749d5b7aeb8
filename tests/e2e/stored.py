"""What a running Heron stored, read the way a user would: through its Sentry-compatible API.

Outcomes and raw transactions have no API yet, so `outcomes` and `transactions` read the server's SQLite
database directly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from heron.store.bodies import decompress_json
from tests.harness import HeronServer, Tenant


def issues(heron: HeronServer, tenant: Tenant) -> list[dict[str, Any]]:
    """Every issue of the tenant's project, whatever its status."""
    return list(_pages(heron, tenant, f"/projects/{tenant.org_slug}/{tenant.project_slug}/issues/", {"query": ""}))


def events(heron: HeronServer, tenant: Tenant) -> list[dict[str, Any]]:
    """Every event of the tenant's project, whole (entries, contexts, tags), newest first."""
    path = f"/projects/{tenant.org_slug}/{tenant.project_slug}/events/"
    return list(_pages(heron, tenant, path, {"full": "true"}))


def event_ids(heron: HeronServer, tenant: Tenant) -> list[str]:
    """The id of every stored event of the tenant's project, once per stored event."""
    path = f"/projects/{tenant.org_slug}/{tenant.project_slug}/events/"
    return [event["eventID"] for event in _pages(heron, tenant, path, {})]


def event(heron: HeronServer, tenant: Tenant, event_id: str) -> dict[str, Any]:
    """One stored event by id, with its release and neighbours."""
    with heron.api(tenant.token) as api:
        response = api.get(f"/projects/{tenant.org_slug}/{tenant.project_slug}/events/{event_id}/")
    assert response.status_code == 200, f"event {event_id} is not stored: {response.text}"
    found: dict[str, Any] = response.json()
    return found


def issue_of(heron: HeronServer, tenant: Tenant, event_id: str) -> dict[str, Any]:
    """The issue an event was grouped into."""
    group_id = event(heron, tenant, event_id)["groupID"]
    return next(issue for issue in issues(heron, tenant) if issue["id"] == group_id)


def entry(event: dict[str, Any], kind: str) -> dict[str, Any]:
    """The data of an event's entry (`exception`, `breadcrumbs`, `request`, `message`…)."""
    for found in event["entries"]:
        if found["type"] == kind:
            data: dict[str, Any] = found["data"]
            return data
    raise AssertionError(f"event {event['eventID']} has no {kind!r} entry: {[e['type'] for e in event['entries']]}")


def tags(event: dict[str, Any]) -> dict[str, str]:
    """An event's tags as a dict."""
    return {tag["key"]: tag["value"] for tag in event["tags"]}


def outcomes(heron: HeronServer, project_id: int) -> dict[tuple[str, str, str], int]:
    """The project's outcome quantities summed over minutes: (category, outcome, reason) -> quantity."""
    rows = _query(
        heron,
        "SELECT category, outcome, reason, SUM(quantity) FROM outcomes WHERE project_id = ? "
        "GROUP BY category, outcome, reason",
        (project_id,),
    )
    return {(category, outcome, reason): quantity for category, outcome, reason, quantity in rows}


def transactions(heron: HeronServer, tenant: Tenant) -> list[dict[str, Any]]:
    """The tenant's stored transactions in the SDK's shape (name, environment, release, trace context, spans with
    ISO 8601 timestamps), in the order they started: two workers may store them in either order."""
    rows = _query(
        heron,
        "SELECT name, environment, release, op, span_id, trace_id, status, spans FROM transactions "
        "WHERE project_id = ? ORDER BY start, id",
        (tenant.project_id,),
    )
    return [
        {
            "transaction": name,
            "environment": environment,
            "release": release,
            "contexts": {"trace": {"op": op, "span_id": span_id, "trace_id": trace_id, "status": status}},
            "spans": [_sdk_span(span) for span in decompress_json(spans)["spans"]],
        }
        for name, environment, release, op, span_id, trace_id, status, spans in rows
    ]


def _sdk_span(span: dict[str, Any]) -> dict[str, Any]:
    start = datetime.fromtimestamp(span["start"], UTC)
    end = start + timedelta(milliseconds=span["duration_ms"])
    kept = {key: span[key] for key in ("span_id", "parent_span_id", "op", "description", "status", "data")}
    return {**kept, "start_timestamp": start.isoformat(), "timestamp": end.isoformat()}


def _query(heron: HeronServer, sql: str, parameters: tuple[object, ...]) -> list[tuple[Any, ...]]:
    """The rows of a query on the server's SQLite database, opened read-only."""
    connection = sqlite3.connect(f"file:{heron.data_dir / 'heron.sqlite3'}?mode=ro", uri=True)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def _pages(heron: HeronServer, tenant: Tenant, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Every row of a paginated list, following the `Link: rel="next"` cursor as sentry-cli does."""
    with heron.api(tenant.token) as api:
        response = api.get(path, params={**params, "per_page": "100"})
        while True:
            assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
            yield from response.json()
            following = response.links.get("next", {})
            if following.get("results") != "true":
                return
            response = api.get(httpx.URL(following["url"]))

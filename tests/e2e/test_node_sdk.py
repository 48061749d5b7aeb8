"""The unmodified @sentry/node SDK (tests/node/send.mjs) reporting a captured exception and a message to Heron.

Without node and npm the tests skip locally and fail in CI (tests/javascript.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e import stored
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant
from tests.javascript import NODE_PROJECT, node_with_sdks


@dataclass(frozen=True)
class NodeRun:
    """The events one run of send.mjs reported, and the tenant it reported them to."""

    tenant: Tenant
    marker: str
    exception_id: str
    message_id: str


@pytest.fixture(scope="module")
def node_run(heron: HeronServer) -> NodeRun:
    """send.mjs run once against a fresh tenant, its events digested."""
    node = node_with_sdks()
    tenant = fresh_tenant(heron, "node")
    marker = uuid.uuid4().hex[:8]
    result = subprocess.run(
        [node, "send.mjs"],
        cwd=NODE_PROJECT,
        env={**os.environ, "SENTRY_DSN": tenant.dsn, "HERON_TEST_MARKER": marker},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ids = json.loads(result.stdout.strip().splitlines()[-1])
    heron.wait_for_digest()
    return NodeRun(tenant, marker, ids["exception"], ids["message"])


def _event(heron: HeronServer, run: NodeRun, event_id: str) -> dict[str, Any]:
    return stored.event(heron, run.tenant, event_id)


def test_node_captured_exception_lands_as_an_issue(heron: HeronServer, node_run: NodeRun) -> None:
    event = _event(heron, node_run, node_run.exception_id)
    [exception] = stored.entry(event, "exception")["values"]
    assert (exception["type"], exception["value"]) == ("TypeError", f"card declined for 42 ({node_run.marker})")
    assert exception["stacktrace"]["frames"][-1]["function"] == "chargeCard"
    assert event["sdk"]["name"] == "sentry.javascript.node"
    assert event["release"] == {"version": "node-app@1.2.3"}
    tags = stored.tags(event)
    assert (tags["environment"], tags["runtime.check"], tags["handled"]) == ("staging", node_run.marker, "yes")
    assert event["user"]["id"] == "node-user-7"
    issue = stored.issue_of(heron, node_run.tenant, node_run.exception_id)
    assert (issue["title"], issue["level"], issue["count"]) == (
        f"TypeError: card declined for 42 ({node_run.marker})",
        "error",
        "1",
    )


def test_node_captured_message_lands_as_an_issue_with_its_level(heron: HeronServer, node_run: NodeRun) -> None:
    event = _event(heron, node_run, node_run.message_id)
    assert event["message"] == f"queue is backing up ({node_run.marker})"
    assert stored.tags(event)["level"] == "warning"
    issue = stored.issue_of(heron, node_run.tenant, node_run.message_id)
    assert (issue["level"], issue["count"]) == ("warning", "1")
    assert len(stored.issues(heron, node_run.tenant)) == 2


def test_node_traced_task_lands_as_a_transaction_with_its_span(heron: HeronServer, node_run: NodeRun) -> None:
    tenant = node_run.tenant
    path = f"/organizations/{tenant.org_slug}/events/"
    with heron.api(tenant.token) as api:
        [row] = api.get(path, params={"field": ["id", "transaction"]}).json()["data"]
        assert row["transaction"] == f"nightly-invoices-{node_run.marker}"
        transaction = api.get(f"{path}{tenant.project_slug}:{row['id']}/").json()
    assert transaction["contexts"]["trace"]["op"] == "task"
    assert (transaction["environment"], transaction["release"]) == ("staging", {"version": "node-app@1.2.3"})
    [spans] = [entry["data"] for entry in transaction["entries"] if entry["type"] == "spans"]
    [query] = spans
    assert (query["op"], query["description"]) == ("db", "SELECT * FROM invoices WHERE due < now()")
    assert query["timestamp"] - query["start_timestamp"] >= 0.02


def test_node_event_tags_hold_no_line_breaks(heron: HeronServer, node_run: NodeRun) -> None:
    # @sentry/node reads the OS version from /etc/debian_version with its trailing newline ("12.11\n").
    for event_id in (node_run.exception_id, node_run.message_id):
        tags = stored.tags(_event(heron, node_run, event_id))
        assert {key: value for key, value in tags.items() if "\n" in value} == {}

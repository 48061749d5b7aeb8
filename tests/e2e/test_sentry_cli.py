"""The real `sentry-cli send-event`, configured by nothing but `SENTRY_DSN`, reporting to a running Heron."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.e2e import stored
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant

SENTRY_CLI = Path(sys.executable).parent / "sentry-cli"
EVENT_ID = re.compile(r"(?:Event id: |dispatched: )([0-9a-f-]{36})")


def send_event(tenant: Tenant, home: Path, *args: str) -> str:
    """Run `sentry-cli send-event ARGS` with the tenant's DSN; returns the event id it reports."""
    assert SENTRY_CLI.exists(), f"sentry-cli is a dev dependency but {SENTRY_CLI} is missing"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SENTRY_")}
    # HOME holds no .sentryclirc, so only the DSN configures it.
    env.update(SENTRY_DSN=tenant.dsn, SENTRY_DISABLE_UPDATE_CHECK="1", HOME=str(home))
    result = subprocess.run(
        [str(SENTRY_CLI), "send-event", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    found = EVENT_ID.search(result.stdout)
    assert found is not None, result.stdout
    return found.group(1).replace("-", "")


@pytest.fixture
def tenant(heron: HeronServer) -> Tenant:
    return fresh_tenant(heron, "cli")


def test_sentry_cli_message_lands_as_an_issue_with_level_tags_extra_user_and_release(
    heron: HeronServer, tenant: Tenant, tmp_path: Path
) -> None:
    event_id = send_event(
        tenant,
        tmp_path,
        *("-m", "disk %s is full", "-a", "/var", "-l", "warning"),
        *("-t", "host:db-1", "-e", "free_bytes:0", "-u", "id:7", "-r", "cli-app@1.0", "-E", "production"),
        "--no-environ",
    )
    heron.wait_for_digest()
    event = stored.event(heron, tenant, event_id)
    assert stored.entry(event, "message") == {
        "formatted": "disk /var is full",
        "message": "disk %s is full",
        "params": ["/var"],
    }
    tags = stored.tags(event)
    assert (tags["host"], tags["level"], tags["environment"]) == ("db-1", "warning", "production")
    assert event["context"] == {"free_bytes": "0"}
    assert event["user"]["id"] == "7"
    assert event["release"] == {"version": "cli-app@1.0"}
    [issue] = stored.issues(heron, tenant)
    assert (issue["title"], issue["level"], issue["count"]) == ("disk /var is full", "warning", "1")


def test_sentry_cli_fingerprint_groups_different_messages_into_one_issue(
    heron: HeronServer, tenant: Tenant, tmp_path: Path
) -> None:
    for message in ("replica lag 30 s", "replica stopped"):
        send_event(tenant, tmp_path, "-m", message, "-f", "replication-broken", "--no-environ")
    heron.wait_for_digest()
    [issue] = stored.issues(heron, tenant)
    assert issue["count"] == "2"


def test_sentry_cli_event_file_lands_once_when_sent_raw_and_then_parsed(
    heron: HeronServer, tenant: Tenant, tmp_path: Path
) -> None:
    event_id = uuid.uuid4().hex
    event = {
        "event_id": event_id,
        "level": "error",
        "platform": "python",
        "exception": {"values": [{"type": "OSError", "value": "no space left on device"}]},
        "tags": {"source": "event-file"},
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    assert send_event(tenant, tmp_path, "--raw", str(path)) == event_id
    assert send_event(tenant, tmp_path, str(path)) == event_id
    heron.wait_for_digest()
    assert stored.event_ids(heron, tenant) == [event_id]
    assert stored.tags(stored.event(heron, tenant, event_id))["source"] == "event-file"
    [issue] = stored.issues(heron, tenant)
    assert (issue["title"], issue["count"]) == ("OSError: no space left on device", "1")

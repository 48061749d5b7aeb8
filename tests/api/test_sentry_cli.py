"""The real sentry-cli against a running Heron: listing and bulk-changing issues, listing events."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.sending import error_event, send_and_digest
from tests.harness import HeronServer, Tenant

SENTRY_CLI = shutil.which("sentry-cli", path=str(Path(sys.executable).parent)) or shutil.which("sentry-cli")


def _cli(heron: HeronServer, tenant: Tenant, *args: str) -> str:
    if SENTRY_CLI is None:
        pytest.fail("sentry-cli is not installed (it is a dev dependency)")
    env = {
        **os.environ,
        "SENTRY_URL": heron.url,
        "SENTRY_AUTH_TOKEN": tenant.token,
        "SENTRY_DISABLE_UPDATE_CHECK": "1",
        "HOME": str(heron.data_dir),
    }
    result = subprocess.run([SENTRY_CLI, *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_sentry_cli_lists_organizations_projects_issues_and_events(heron: HeronServer, tenant: Tenant) -> None:
    event_id = send_and_digest(heron, tenant, error_event("CliError", "from the cli test"))[0]
    assert tenant.org_slug in _cli(heron, tenant, "organizations", "list")
    assert "| app " in _cli(heron, tenant, "projects", "list", "-o", tenant.org_slug)
    issues = _cli(heron, tenant, "issues", "list", "-o", tenant.org_slug, "-p", "app")
    assert "APP-1" in issues and "CliError: from the cli test" in issues and "unresolved" in issues
    events = _cli(heron, tenant, "events", "list", "-o", tenant.org_slug, "-p", "app")
    assert event_id[:8] in events.replace("-", "")


def test_sentry_cli_resolves_and_mutes_issues(heron: HeronServer, tenant: Tenant, api: httpx.Client) -> None:
    send_and_digest(heron, tenant, error_event("First"), error_event("Second"))
    ids = {i["metadata"]["type"]: i["id"] for i in api.get(f"/projects/{tenant.org_slug}/app/issues/").json()}
    scope = ("-o", tenant.org_slug, "-p", "app")
    _cli(heron, tenant, "issues", "resolve", *scope, "-i", ids["First"])
    assert api.get(f"/issues/{ids['First']}/").json()["status"] == "resolved"
    _cli(heron, tenant, "issues", "mute", *scope, "-s", "unresolved")
    assert api.get(f"/issues/{ids['Second']}/").json()["status"] == "ignored"
    _cli(heron, tenant, "issues", "unresolve", *scope, "-s", "muted")
    assert api.get(f"/issues/{ids['Second']}/").json()["status"] == "unresolved"
    _cli(heron, tenant, "issues", "resolve", "-n", *scope, "-i", ids["Second"])
    assert api.get(f"/issues/{ids['Second']}/").json()["status"] == "resolved"

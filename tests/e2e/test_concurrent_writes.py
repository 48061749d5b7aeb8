"""Writes through the API and the CLI while the digest worker is storing events: on SQLite they all write the same
database, so they must wait for the digest's write lock rather than fail with "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.api.sending import envelope, error_event, send_and_digest
from tests.e2e import stored
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant

SENDERS = 2
UPDATES = 20
CLI_RUNS = 3


@contextmanager
def events_streaming_in(heron: HeronServer, tenant: Tenant) -> Iterator[None]:
    """Keep the digest busy: SENDERS connections post events until the block ends."""
    stop = threading.Event()
    url = f"{heron.url}/api/{tenant.project_id}/envelope/"
    headers = {"X-Sentry-Auth": f"Sentry sentry_key={tenant.public_key}, sentry_version=7"}

    def send() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                client.post(url, content=envelope(error_event("BackgroundNoise"), tenant.dsn), headers=headers)

    senders = [threading.Thread(target=send, daemon=True) for _ in range(SENDERS)]
    for sender in senders:
        sender.start()
    try:
        yield
    finally:
        stop.set()
        for sender in senders:
            sender.join(timeout=30)


def test_issue_updates_succeed_while_the_digest_is_storing_events(heron: HeronServer) -> None:
    tenant = fresh_tenant(heron, "busy")
    send_and_digest(heron, tenant, error_event("Target", "resolve me"))
    [issue] = stored.issues(heron, tenant)
    outcomes: Counter[int | str] = Counter()
    with events_streaming_in(heron, tenant), heron.api(tenant.token) as api:
        for number in range(UPDATES):
            status = "resolved" if number % 2 == 0 else "unresolved"
            try:
                outcomes[api.put(f"/issues/{issue['id']}/", json={"status": status}).status_code] += 1
            except httpx.TransportError as error:
                outcomes[type(error).__name__] += 1
    heron.wait_for_digest()
    assert outcomes == Counter({200: UPDATES})


def test_cli_creates_projects_while_the_digest_is_storing_events(heron: HeronServer) -> None:
    tenant = fresh_tenant(heron, "cli-busy")
    with events_streaming_in(heron, tenant):
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "heron", "project", "create", tenant.org_slug, f"service-{number}"],
                env=heron.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number in range(CLI_RUNS)
        ]
        results = [run.communicate(timeout=120) for run in runs]
    errors = [_last_error(stderr) for run, (_, stderr) in zip(runs, results, strict=True) if run.returncode]
    assert errors == []


def _last_error(stderr: str) -> str:
    """The exception line of a traceback (SQLAlchemy adds lines after it)."""
    lines = stderr.strip().splitlines()
    return next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")

"""Nothing acknowledged is lost (DESIGN §6): SIGKILL the server (and its digest worker) mid-load, restart it on
the same data dir, and every event that got a 200 is stored exactly once, with issue counts that add up.

Thousands of prebuilt envelopes with unique event ids go out over several keep-alive connections; the kill lands
once a third of them were acknowledged, so requests are in flight and the worker is mid-batch.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.sending import envelope, error_event
from tests.e2e import stored
from tests.harness import HeronServer, Tenant

EVENTS = 3000
CONNECTIONS = 8
KILL_AFTER_ACKNOWLEDGED = 1000
ISSUE_KINDS = 5
# How long a restarted server may take to digest what was acknowledged before the kill.
RECOVERY_SECONDS = 30


def _prebuilt_envelopes(tenant: Tenant) -> list[tuple[str, bytes]]:
    """(event id, envelope bytes) for EVENTS events spread over ISSUE_KINDS exception types."""
    built = []
    for number in range(EVENTS):
        event = error_event(f"Durable{number % ISSUE_KINDS}Error", f"event {number}")
        built.append((event["event_id"], envelope(event, tenant.dsn)))
    return built


class LoadRun:
    """Posts envelopes over several keep-alive connections and records which event ids were answered 200."""

    def __init__(self, server: HeronServer, tenant: Tenant, envelopes: list[tuple[str, bytes]]) -> None:
        self.url = f"{server.url}/api/{tenant.project_id}/envelope/"
        self.headers = {"X-Sentry-Auth": f"Sentry sentry_key={tenant.public_key}, sentry_version=7"}
        self.pending: queue.SimpleQueue[tuple[str, bytes]] = queue.SimpleQueue()
        for item in envelopes:
            self.pending.put(item)
        self.acknowledged: list[str] = []
        self.refused: Counter[int] = Counter()
        self.threads = [threading.Thread(target=self._send, daemon=True) for _ in range(CONNECTIONS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def wait_for_acknowledged(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} envelopes acknowledged in {timeout} s"
            time.sleep(0.002)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)
            assert not thread.is_alive()

    def _send(self) -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                try:
                    event_id, body = self.pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    response = client.post(self.url, content=body, headers=self.headers)
                except httpx.TransportError:
                    return  # the server is gone: what was not answered was not promised
                if response.status_code == 200:
                    self.acknowledged.append(event_id)
                else:
                    self.refused[response.status_code] += 1


@dataclass
class Aftermath:
    """What was sent, what was acknowledged before the kill, and what the restarted server stored."""

    sent: set[str]
    acknowledged: set[str]
    stored: Counter[str]
    issue_counts: list[int]


def _kill_mid_load_and_restart(server: HeronServer, worker_during_load: bool) -> Aftermath:
    """Load the server, SIGKILL it (and its worker) once KILL_AFTER_ACKNOWLEDGED envelopes got a 200, restart it
    with a worker on the same data dir, and read back what it stored once its queue is drained."""
    server.serve_args = [] if worker_during_load else ["--no-worker"]
    server.migrate()
    server.start()
    try:
        tenant = server.create_tenant("durable")
        envelopes = _prebuilt_envelopes(tenant)
        load = LoadRun(server, tenant, envelopes)
        load.start()
        load.wait_for_acknowledged(KILL_AFTER_ACKNOWLEDGED, timeout=30)
        server.stop(signal.SIGKILL)
        load.join()
        assert load.refused == Counter()
        acknowledged = set(load.acknowledged)
        assert KILL_AFTER_ACKNOWLEDGED <= len(acknowledged) < EVENTS, "the kill did not land mid-load"

        server.serve_args = []
        server.start()
        _wait_for_recovery(server)
        return Aftermath(
            sent={event_id for event_id, _ in envelopes},
            acknowledged=acknowledged,
            stored=Counter(stored.event_ids(server, tenant)),
            issue_counts=[int(issue["count"]) for issue in stored.issues(server, tenant)],
        )
    finally:
        server.stop()


def _wait_for_recovery(server: HeronServer) -> None:
    try:
        server.wait_for_digest(timeout=RECOVERY_SECONDS)
    except TimeoutError:
        depth = httpx.get(f"{server.url}/_health").json()["queue"]["depth"]
        pytest.fail(f"{depth} acknowledged envelopes were still not digested {RECOVERY_SECONDS} s after the restart")


def _assert_stored_exactly_once(aftermath: Aftermath) -> None:
    assert [event_id for event_id, times in aftermath.stored.items() if times > 1] == []
    assert sorted(aftermath.acknowledged - set(aftermath.stored)) == [], "acknowledged events were lost"
    assert set(aftermath.stored) <= aftermath.sent
    assert sum(aftermath.issue_counts) == aftermath.stored.total()
    assert len(aftermath.issue_counts) == ISSUE_KINDS


def test_every_envelope_acknowledged_before_ingest_is_killed_is_stored_exactly_once(tmp_path: Path) -> None:
    _assert_stored_exactly_once(_kill_mid_load_and_restart(HeronServer(tmp_path), worker_during_load=False))


def test_every_envelope_acknowledged_before_server_and_worker_are_killed_is_stored_exactly_once_after_restart(
    tmp_path: Path,
) -> None:
    # The worker is digesting when it dies, so a batch it claimed, and maybe committed, was never acknowledged.
    _assert_stored_exactly_once(_kill_mid_load_and_restart(HeronServer(tmp_path), worker_during_load=True))

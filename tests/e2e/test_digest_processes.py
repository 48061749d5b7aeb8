"""`heron serve`'s digest processes: a supervisor with its workers, replaced when they die, gone when serve stops."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from tests.e2e import stored
from tests.harness import HeronServer


def _children(server: HeronServer) -> list[psutil.Process]:
    assert server.process is not None
    return psutil.Process(server.process.pid).children(recursive=True)


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _send(server: HeronServer, dsn: str, count: int) -> None:
    import sentry_sdk

    sentry_sdk.init(dsn=dsn)
    try:
        for number in range(count):
            sentry_sdk.capture_message(f"order {number} is late")
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.get_client().close(timeout=10)
        sentry_sdk.get_global_scope().set_client(None)


def test_serve_runs_the_configured_workers_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    server = HeronServer(tmp_path, extra_env={"HERON_DIGEST_WORKERS": "3"})
    server.migrate()
    server.start()
    try:
        tenant = server.create_tenant("acme")
        # The supervisor and its three workers.
        _wait_for(lambda: len(_children(server)) == 4)
        family = _children(server)
        _send(server, tenant.dsn, 30)
        server.wait_for_digest()
        [issue] = stored.issues(server, tenant)
        assert issue["count"] == "30"
    finally:
        server.stop(signal.SIGTERM)
    _gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [], f"still running after serve stopped: {[p.pid for p in alive]}"
    assert "digest worker stopped" in server.log_text()


def test_a_killed_worker_is_replaced_and_digesting_goes_on(tmp_path: Path) -> None:
    server = HeronServer(tmp_path, extra_env={"HERON_DIGEST_WORKERS": "2"})
    server.migrate()
    server.start()
    try:
        tenant = server.create_tenant("acme")
        _wait_for(lambda: len(_children(server)) == 3)
        [supervisor] = [p for p in _children(server) if p.ppid() == server.process.pid]  # type: ignore[union-attr]
        victim = supervisor.children()[0]
        victim.kill()
        _wait_for(lambda: len(supervisor.children()) == 2 and victim.pid not in {p.pid for p in supervisor.children()})
        _send(server, tenant.dsn, 10)
        server.wait_for_digest()
        [issue] = stored.issues(server, tenant)
        assert issue["count"] == "10"
        assert "exited (killed by SIGKILL); starting another" in server.log_text()
    finally:
        server.stop(signal.SIGTERM)


def test_a_killed_supervisor_is_replaced_by_heron_worker(tmp_path: Path) -> None:
    server = HeronServer(tmp_path, extra_env={"HERON_DIGEST_WORKERS": "2"})
    server.migrate()
    server.start()
    try:
        tenant = server.create_tenant("acme")
        _wait_for(lambda: len(_children(server)) == 3)
        [supervisor] = [p for p in _children(server) if p.ppid() == server.process.pid]  # type: ignore[union-attr]
        orphans = supervisor.children()
        supervisor.kill()
        # Its workers notice their parent is gone and stop; serve starts `heron worker` with two new ones.
        assert psutil.wait_procs(orphans, timeout=10)[1] == []
        _wait_for(lambda: len(_children(server)) == 3 and supervisor.pid not in {p.pid for p in _children(server)})
        _send(server, tenant.dsn, 5)
        server.wait_for_digest()
        [issue] = stored.issues(server, tenant)
        assert issue["count"] == "5"
    finally:
        server.stop(signal.SIGTERM)

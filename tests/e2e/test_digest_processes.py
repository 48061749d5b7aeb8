"""The digest's processes: workers forked by `heron serve` or by `heron worker --processes N`, replaced when they
die, gone when their parent stops."""

from __future__ import annotations

import signal
import subprocess
import sys
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
        # Three workers, forked by serve itself (no supervisor process between them).
        _wait_for(lambda: len(_children(server)) == 3)
        assert all(child.ppid() == server.process.pid for child in _children(server))  # type: ignore[union-attr]
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


def test_a_killed_worker_is_replaced_by_heron_worker_and_digesting_goes_on(tmp_path: Path) -> None:
    server = HeronServer(tmp_path, extra_env={"HERON_DIGEST_WORKERS": "2"})
    server.migrate()
    server.start()
    try:
        tenant = server.create_tenant("acme")
        _wait_for(lambda: len(_children(server)) == 2)
        victim, survivor = _children(server)
        victim.kill()
        # Serve runs threads by now, so the replacement is a fresh `heron worker` process, not a fork.
        _wait_for(lambda: len(_children(server)) == 2 and victim.pid not in {p.pid for p in _children(server)})
        [replacement] = [p for p in _children(server) if p.pid != survivor.pid]
        assert replacement.cmdline()[-5:] == ["heron", "worker", "--no-migrate", "--processes", "1"]
        _send(server, tenant.dsn, 10)
        server.wait_for_digest()
        [issue] = stored.issues(server, tenant)
        assert issue["count"] == "10"
        assert f"digest worker {victim.pid} exited (exit status -9); starting `heron worker`" in server.log_text()
    finally:
        server.stop(signal.SIGTERM)
    assert psutil.wait_procs([survivor, replacement], timeout=10)[1] == []


def test_heron_worker_supervises_its_own_forked_workers(tmp_path: Path) -> None:
    # `heron worker --processes N` (for `serve --no-worker` deployments) forks its workers and forks again to
    # replace one that dies; SIGTERM stops them all.
    server = HeronServer(tmp_path)
    server.migrate()
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        command = [sys.executable, "-m", "heron", "worker", "--processes", "2", "--no-migrate"]
        pool = subprocess.Popen(command, env=server.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        supervisor = psutil.Process(pool.pid)
        _wait_for(lambda: len(supervisor.children()) == 2)
        victim, survivor = supervisor.children()
        victim.kill()
        _wait_for(lambda: len(supervisor.children()) == 2 and victim.pid not in {p.pid for p in supervisor.children()})
        [replacement] = [p for p in supervisor.children() if p.pid != survivor.pid]
        assert replacement.cmdline() == supervisor.cmdline()  # forked, not started afresh
        assert f"digest worker {victim.pid} exited (killed by SIGKILL); starting another" in log_path.read_text()
    finally:
        pool.send_signal(signal.SIGTERM)
        assert pool.wait(timeout=30) == 0
    assert psutil.wait_procs([survivor, replacement], timeout=10)[1] == []

"""The digest's processes: one single-threaded supervisor forks the workers and keeps them running.

Forking shares what the parent already imported (tens of MiB of modules) with every worker, copy on write, and
the supervisor never starts a thread, so forking stays safe each time it replaces a worker that died. The
supervisor and its workers stop when they are sent SIGTERM or SIGINT, or when the process that started the
supervisor is gone (so a SIGKILLed `heron serve` cannot leave workers behind).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

from heron.config import Settings
from heron.digest.worker import run_worker

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
STOP_TIMEOUT = 30.0
# A worker that dies this soon after its start is failing at startup; wait before the next attempt.
QUICK_DEATH_SECONDS = 5.0


class WorkerPool:
    """`count` forked digest workers, replaced when one dies."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self.workers: dict[int, float] = {}  # pid -> when it started
        self.stopping = False

    def run(self) -> None:
        """Run the workers until told to stop; returns once they have all exited."""
        parent = os.getppid()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        gc.freeze()  # objects imported so far stay untouched by the collector, so their pages stay shared
        log.info("digest: %d worker processes (batch %d)", self.count, self.settings.digest_batch_size)
        while len(self.workers) < self.count:
            self._fork()
        while not self.stopping:
            time.sleep(POLL_SECONDS)
            if os.getppid() != parent:
                log.warning("the process that started the digest workers is gone; stopping them")
                break
            self._replace_dead_workers()
        self._stop_workers()

    def _fork(self) -> None:
        pid = os.fork()
        if pid == 0:
            os._exit(_worker_process(self.settings))
        self.workers[pid] = time.monotonic()

    def _replace_dead_workers(self) -> None:
        for pid, started in list(self.workers.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                continue
            del self.workers[pid]
            if self.stopping:
                continue
            log.error("digest worker %d exited (%s); starting another", pid, _describe(status))
            if time.monotonic() - started < QUICK_DEATH_SECONDS:
                time.sleep(QUICK_DEATH_SECONDS)
            self._fork()

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def _stop_workers(self) -> None:
        for pid in self.workers:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.workers and time.monotonic() < deadline:
            for pid in list(self.workers):
                if os.waitpid(pid, os.WNOHANG)[0] != 0:
                    del self.workers[pid]
            time.sleep(0.05)
        for pid in self.workers:
            log.error("digest worker %d did not stop within %.0f s; killing it", pid, STOP_TIMEOUT)
            _signal(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.workers.clear()


def run_pool(settings: Settings, count: int) -> None:
    """Digest with `count` processes: in this process when it is one, else with a supervisor (this process)."""
    if count == 1:
        run_worker(settings)
    else:
        WorkerPool(settings, count).run()


def _worker_process(settings: Settings) -> int:
    """The body of a forked worker; its exit status."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        run_worker(settings)
    except BaseException:
        log.exception("digest worker failed")
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


class PoolProcess:
    """The digest's supervisor process as `heron serve` runs it: started, watched, restarted, stopped.

    The first start forks (before serve starts any thread) so the workers share serve's imported modules. A
    supervisor that dies later is replaced by a fresh `heron worker` process: forking a process that runs
    threads is not safe.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: _Child | None = None
        self.stopped = threading.Event()

    def start(self) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run_pool(self.settings, self.settings.digest_workers)
            except BaseException:
                log.exception("digest supervisor failed")
                code = 1
            os._exit(code)
        self.process = _Forked(pid)
        threading.Thread(target=self._watch, name="heron-digest-supervisor", daemon=True).start()

    def stop(self) -> None:
        """Stop the workers (each finishes its batch first); safe to call more than once."""
        if self.stopped.is_set():
            return
        self.stopped.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT + 5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _watch(self) -> None:
        while not self.stopped.wait(1.0):
            if self.process is not None and self.process.poll() is not None:
                log.error("the digest supervisor exited (%s); starting `heron worker`", self.process.returncode)
                command = [sys.executable, "-m", "heron", "worker", "--no-migrate"]
                self.process = subprocess.Popen(command)


class _Forked:
    """A forked child with the part of `subprocess.Popen`'s interface that PoolProcess uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while (code := self.poll()) is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.05)
        return code

    def terminate(self) -> None:
        _signal(self.pid, signal.SIGTERM)

    def kill(self) -> None:
        _signal(self.pid, signal.SIGKILL)
        self.wait(STOP_TIMEOUT)


_Child = _Forked | subprocess.Popen[bytes]

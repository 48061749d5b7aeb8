"""The digest's processes: forked workers, kept running.

Forking shares what the parent already imported (tens of MiB of modules) with every worker, copy on write.
`heron serve` forks its workers itself, before it starts any thread (`DigestProcesses`), and replaces one that
dies by a fresh `heron worker` process, since forking a process that runs threads is not safe. `heron worker
--processes N` is a single-threaded supervisor of N forked workers (`WorkerPool`), and replaces them by forking
again. Workers stop when they are sent SIGTERM or SIGINT, or when the process that started them is gone (so a
SIGKILLed `heron serve` cannot leave workers behind).
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
# What replaces a worker of `heron serve` that died (serve runs threads by then, so it cannot fork another).
WORKER_COMMAND = [sys.executable, "-m", "heron", "worker", "--no-migrate", "--processes", "1"]


class WorkerPool:
    """`count` forked digest workers, replaced when one dies."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self.workers: dict[_Forked, float] = {}  # worker -> when it started
        self.stopping = False

    def run(self) -> None:
        """Run the workers until told to stop; returns once they have all exited."""
        parent = os.getppid()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        gc.freeze()  # objects imported so far stay untouched by the collector, so their pages stay shared
        log.info("digest: %d worker processes (batch %d)", self.count, self.settings.digest_batch_size)
        while len(self.workers) < self.count:
            self.workers[_fork_worker(self.settings)] = time.monotonic()
        while not self.stopping:
            time.sleep(POLL_SECONDS)
            if os.getppid() != parent:
                log.warning("the process that started the digest workers is gone; stopping them")
                break
            self._replace_dead_workers()
        _stop_all(list(self.workers))
        self.workers.clear()

    def _replace_dead_workers(self) -> None:
        for worker, started in list(self.workers.items()):
            if worker.poll() is None:
                continue
            del self.workers[worker]
            if self.stopping:
                continue
            log.error("digest worker %d exited (%s); starting another", worker.pid, _describe(worker.returncode))
            if time.monotonic() - started < QUICK_DEATH_SECONDS:
                time.sleep(QUICK_DEATH_SECONDS)
            self.workers[_fork_worker(self.settings)] = time.monotonic()

    def _stop(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping = True


def run_pool(settings: Settings, count: int) -> None:
    """Digest with `count` processes: in this process when it is one, else with a supervisor (this process)."""
    if count == 1:
        run_worker(settings)
    else:
        WorkerPool(settings, count).run()


def _fork_worker(settings: Settings) -> _Forked:
    """A digest worker forked from this process (which must not run threads yet)."""
    pid = os.fork()
    if pid == 0:
        os._exit(_worker_process(settings))
    return _Forked(pid)


def _stop_all(processes: list[_Child]) -> None:
    """SIGTERM every worker (each finishes its batch first), then SIGKILL those still running after STOP_TIMEOUT."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.error("digest worker %d did not stop within %.0f s; killing it", process.pid, STOP_TIMEOUT)
            process.kill()
            process.wait(5)


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


def _describe(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


class DigestProcesses:
    """`heron serve`'s digest workers: forked at start, watched, replaced, stopped.

    They are forked from serve itself (before it starts any thread) rather than from a supervisor process of
    their own: that supervisor held ~19 MiB of pages that serve and the workers had all copied away from it, a
    tenth of the server's memory. A worker that dies later is replaced by a fresh `heron worker` process.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.processes: list[_Child] = []
        self.started: dict[int, float] = {}  # pid -> when it started
        self.stopped = threading.Event()
        self._changing = threading.Lock()  # the watcher replaces processes while stop() may be stopping them

    def start(self) -> None:
        gc.freeze()  # objects imported so far stay untouched by the collector, so their pages stay shared
        log.info(
            "digest: %d worker processes (batch %d)", self.settings.digest_workers, self.settings.digest_batch_size
        )
        for _ in range(self.settings.digest_workers):
            self._add(_fork_worker(self.settings))
        threading.Thread(target=self._watch, name="heron-digest-workers", daemon=True).start()

    def stop(self) -> None:
        """Stop the workers (each finishes its batch first); safe to call more than once."""
        with self._changing:
            if self.stopped.is_set():
                return
            self.stopped.set()
            running = [process for process in self.processes if process.poll() is None]
        _stop_all(running)

    def _add(self, process: _Child) -> None:
        self.processes.append(process)
        self.started[process.pid] = time.monotonic()

    def _watch(self) -> None:
        while not self.stopped.wait(POLL_SECONDS):
            # Polls hold the lock: `stop()` reaps the same children, and a child reaped twice cannot be waited for.
            with self._changing:
                if self.stopped.is_set():
                    return
                dead = [process for process in self.processes if process.poll() is not None]
            for process in dead:
                log.error(
                    "digest worker %d exited (exit status %s); starting `heron worker`", process.pid, process.returncode
                )
                if time.monotonic() - self.started.pop(process.pid, 0.0) < QUICK_DEATH_SECONDS:
                    self.stopped.wait(QUICK_DEATH_SECONDS)  # failing at startup: not in a tight loop
                with self._changing:
                    if self.stopped.is_set():
                        return
                    self.processes.remove(process)
                    self._add(subprocess.Popen(WORKER_COMMAND))


class _Forked:
    """A forked child with the part of `subprocess.Popen`'s interface that the pools use."""

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

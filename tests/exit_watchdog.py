"""A pytest plugin that keeps a finished run from hanging at interpreter exit.

Once pytest has reported, the process should exit within seconds. If something (a lingering non-daemon thread,
an atexit handler waiting on a dead peer) holds it longer than EXIT_GRACE seconds, this prints every thread's
stack and the process's children to stderr, so the culprit is named in the CI log, and exits with the status
pytest had already decided. The tests' verdict stands; CI does not burn its time limit on a hang after it.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
import time

import pytest

EXIT_GRACE = 120.0
_status = {"code": 0}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _status["code"] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    threading.Thread(target=_watch, name="exit-watchdog", daemon=True).start()


def _watch() -> None:
    time.sleep(EXIT_GRACE)
    err = sys.__stderr__
    if err is not None:
        print(f"\n[exit-watchdog] pytest finished {EXIT_GRACE:.0f} s ago but the process has not exited.", file=err)
        print("[exit-watchdog] threads:", file=err)
        faulthandler.dump_traceback(file=err, all_threads=True)
        for child in _children():
            print(f"[exit-watchdog] child process {child}", file=err)
        print(f"[exit-watchdog] exiting with pytest's status {_status['code']}", file=err)
        err.flush()
    sys.stdout.flush()
    os._exit(_status["code"])


def _children() -> list[str]:
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent == me:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{entry}: {command[:300]}")
        except (OSError, ValueError, IndexError):
            continue
    return found

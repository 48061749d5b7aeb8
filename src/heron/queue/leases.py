"""Who holds a lease on queued envelopes, and whether that worker is still alive.

Each consumer holds an exclusive `flock` on a lock file of its own while it runs. The kernel drops the lock
when the process dies — even by SIGKILL — so another consumer can tell a dead worker's leases from a live one's
and hand its envelopes out again at once, instead of waiting for the lease to expire.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import uuid
from pathlib import Path
from typing import IO


class LeaseOwner:
    """This process's identity on the queue, proven alive by the lock it holds."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.token = uuid.uuid4().hex
        self._lock: IO[bytes] | None = None
        self._taking = threading.Lock()

    def hold(self) -> None:
        """Take this owner's lock (once; before its first claim). Threads sharing the queue take it once between
        them: a second open of the lock file in this process would wait on the first one's `flock` forever."""
        with self._taking:
            if self._lock is not None:
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = open(self._path(self.token), "wb")  # noqa: SIM115 - held for the life of the owner
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._lock = lock

    def is_dead(self, token: str) -> bool:
        """Whether the owner `token` no longer runs (its lock file is gone or nobody holds its lock)."""
        if token == self.token:
            return False
        try:
            other = open(self._path(token), "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return True
        with other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(other, fcntl.LOCK_UN)
        return True

    def forget(self, token: str) -> None:
        """Remove a dead owner's lock file."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(token))

    def release(self) -> None:
        """Drop this owner's lock (on a clean shutdown)."""
        if self._lock is not None:
            self._lock.close()
            self.forget(self.token)
            self._lock = None

    def _path(self, token: str) -> Path:
        # Tokens come from our own queue rows; keep the file name to hex characters all the same.
        return self.directory / f"{''.join(c for c in token if c in '0123456789abcdef')}.lock"

"""The in-memory cache of DSN keys, so ingest answers without a query on the main database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

POSITIVE_TTL = 30.0
NEGATIVE_TTL = 5.0


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What ingest needs to know about a public key."""

    key_id: int
    project_id: int
    is_active: bool
    rate_limit_count: int | None
    rate_limit_window: int | None


KeyLoader = Callable[[str], KeyInfo | None]


class KeyCache:
    """Public key → KeyInfo, refreshed from the database at most every POSITIVE_TTL seconds per key.

    Unknown keys are remembered for NEGATIVE_TTL seconds so a misconfigured client cannot flood the database.
    """

    def __init__(self, load: KeyLoader) -> None:
        self._load = load
        self._entries: dict[str, tuple[float, KeyInfo | None]] = {}
        self._inflight: dict[str, asyncio.Future[KeyInfo | None]] = {}

    async def get(self, public_key: str) -> KeyInfo | None:
        """The key's info, or None when it does not exist."""
        entry = self._entries.get(public_key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        inflight = self._inflight.get(public_key)
        if inflight is not None:
            return await asyncio.shield(inflight)
        future: asyncio.Future[KeyInfo | None] = asyncio.get_running_loop().create_future()
        self._inflight[public_key] = future
        try:
            info = await run_in_threadpool(self._load, public_key)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: the waiting requests re-raise it themselves
            raise
        finally:
            del self._inflight[public_key]
        ttl = POSITIVE_TTL if info is not None else NEGATIVE_TTL
        self._entries[public_key] = (time.monotonic() + ttl, info)
        future.set_result(info)
        return info

    def forget(self, public_key: str) -> None:
        """Drop a key so the next request reads it again (after it was revoked or changed)."""
        self._entries.pop(public_key, None)

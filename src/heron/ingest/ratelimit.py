"""Per-key rate limits: a fixed window counter per DSN key, in the ingest process's memory."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Window:
    started: float
    count: int = 0


@dataclass(slots=True)
class RateLimiter:
    """Counts accepted events per key within `window` seconds."""

    windows: dict[int, _Window] = field(default_factory=dict)

    def retry_after(self, key_id: int, limit: int | None, window: int | None, now: float | None = None) -> int:
        """0 when the key may send one more event (and counts it); else whole seconds until the window ends."""
        if not limit or not window:
            return 0
        now = time.monotonic() if now is None else now
        current = self.windows.get(key_id)
        if current is None or now - current.started >= window:
            current = self.windows[key_id] = _Window(started=now - (now % window))
        if current.count >= limit:
            return max(1, math.ceil(current.started + window - now))
        current.count += 1
        return 0

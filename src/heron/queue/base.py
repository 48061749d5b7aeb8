"""What every queue backend offers: ingest puts (durably), the digest claims, then acknowledges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class QueuedEnvelope:
    """An envelope as ingest accepted it: the body (decoded when small, else as received, `content_encoding` says
    which) and where it came from."""

    project_id: int
    received: float
    body: bytes
    content_encoding: str | None = None
    client_ip: str | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    """An envelope handed to a digest worker; `ack` it after its events are committed."""

    id: int | str
    envelope: QueuedEnvelope
    deliveries: int


class QueueFull(Exception):
    """The queue refuses more work (ingest answers 503)."""


class QueueUnavailable(Exception):
    """The queue could not store an envelope: its disk is full, an I/O error (ingest answers 503)."""


class EnvelopeQueue(Protocol):
    """At-least-once delivery: a claimed envelope that is not acknowledged within its lease comes back."""

    async def put(self, envelope: QueuedEnvelope) -> None:
        """Return only once the envelope is durable. Raises QueueFull when the queue refuses it, QueueUnavailable
        when it cannot store it."""

    def claim(self, limit: int, lease_seconds: float) -> list[Claimed]:
        """Up to `limit` envelopes, oldest first, hidden from other workers for `lease_seconds`."""

    def leased(self, ids: list[int | str]) -> list[Claimed]:
        """The envelopes among `ids` that this queue's worker still holds the lease of, read again, oldest first:
        a worker does not keep a batch's bodies once it has read them, and digests them one by one when the batch
        failed."""

    def ack(self, ids: list[int | str]) -> None:
        """Forget envelopes that were digested."""

    def depth(self) -> int:
        """How many envelopes wait (claimed or not)."""

    def oldest_received(self) -> float | None:
        """When the oldest waiting envelope was received (for digest lag), None when empty."""

    def close(self) -> None:
        """Release connections and threads; pending puts finish first."""

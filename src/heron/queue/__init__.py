"""The durable buffer between ingest and digest: at-least-once, one small interface, two backends."""

from __future__ import annotations

from heron.queue.base import Claimed, EnvelopeQueue, QueuedEnvelope, QueueFull, QueueUnavailable


def open_queue(url: str) -> EnvelopeQueue:
    """The queue backend named by `url`: `sqlite:///path` (default) or `redis://…`."""
    if url.startswith("sqlite"):
        from heron.queue.sqlite import SqliteQueue

        return SqliteQueue(url.split(":///", 1)[1])
    if url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("the Redis queue backend is not built yet; use the SQLite spool (leave HERON_QUEUE_URL empty)")
    raise ValueError(f"unknown queue URL scheme: {url.split(':', 1)[0]}")


def prepare_queue(url: str) -> None:
    """Maintenance before a process opens the queue: an empty SQLite spool of an older page size is resized."""
    if url.startswith("sqlite"):
        from heron.queue.sqlite import resize_empty_spool

        resize_empty_spool(url.split(":///", 1)[1])


__all__ = [
    "Claimed",
    "EnvelopeQueue",
    "QueueFull",
    "QueueUnavailable",
    "QueuedEnvelope",
    "open_queue",
    "prepare_queue",
]

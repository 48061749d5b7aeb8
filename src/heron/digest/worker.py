"""The digest worker: claims batches from the queue, digests them, acknowledges them after commit."""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from sqlalchemy.orm import Session, sessionmaker

from heron.config import Settings
from heron.digest.dictionaries import EventCompression
from heron.digest.pipeline import DigestResult, digest_batch
from heron.queue import Claimed, EnvelopeQueue, open_queue
from heron.store.engine import make_engine, make_sessionmaker
from heron.store.retention import delete_expired
from heron.store.types import utcnow

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0
IDLE_SLEEP = 0.02
# After a batch that did not fill up (the worker keeps up with ingest), wait this long before the next claim so
# that the next batch gathers more envelopes: each batch costs a commit and an fsync whatever its size, and at
# 1,000 events/s claiming again at once made batches of a few envelopes and the CPU per event 1.6x that of full
# batches. It adds at most this much to the time from ingest to issue.
GATHER_SLEEP = 0.1
# Digest workers yield the CPU to ingest (and pages) when both want it: ingest answers SDKs that wait, the
# digest only drains a queue.
WORKER_NICENESS = 5
# Each worker deletes what has outlived its project's retention once an hour (heron.store.retention), first a
# minute after it starts. With several workers the sweeps overlap harmlessly: deleting is idempotent.
RETENTION_EVERY = 3600.0
RETENTION_FIRST = 60.0
# SQLite's own default page cache (2 MiB) rather than the 8 MiB of other connections: the digest's writes land
# at random keys all over indexes larger than either, and a worker spent the same CPU per event with it over
# 100,000 events of bench/ingest.py while the server's peak memory was 7-9 MiB smaller (docs/performance.md).
DIGEST_PAGE_CACHE_KIB = 2048


class DigestWorker:
    """One worker loop; several may run against one queue (the queue's leases keep them apart)."""

    def __init__(self, settings: Settings, queue: EnvelopeQueue, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.queue = queue
        self.sessions = sessions
        self.stopping = threading.Event()
        self.compression = EventCompression()

    def run(self) -> None:
        """Digest until `stop()` is called, or until the process that started this one is gone."""
        parent = os.getppid()
        next_sweep = time.monotonic() + RETENTION_FIRST
        while not self.stopping.is_set():
            if os.getppid() != parent:
                log.warning("the process that started this digest worker is gone; stopping")
                return
            if time.monotonic() >= next_sweep:
                self.sweep()
                next_sweep = time.monotonic() + RETENTION_EVERY
            claimed = self.run_once()
            if claimed < self.settings.digest_batch_size:
                self.stopping.wait(GATHER_SLEEP if claimed else IDLE_SLEEP)

    def run_once(self) -> int:
        """Claim and digest one batch; returns how many envelopes it held."""
        claimed = self.queue.claim(self.settings.digest_batch_size, LEASE_SECONDS)
        if not claimed:
            return 0
        ids = [message.id for message in claimed]
        try:
            self._digest(claimed)
        except Exception:
            log.exception("digest of a batch of %d envelopes failed; digesting them one by one", len(ids))
            self._digest_one_by_one(self.queue.leased(ids))
        return len(ids)

    def drain(self) -> None:
        """Digest until the queue has nothing visible (tests and `heron worker --once`)."""
        while self.run_once():
            pass

    def stop(self) -> None:
        self.stopping.set()

    def sweep(self) -> None:
        """Delete what has outlived its project's retention; a failure is logged and retried at the next sweep."""
        try:
            result = delete_expired(self.sessions, utcnow())
        except Exception:
            log.exception("retention sweep failed")
            return
        if result.events or result.issues or result.transactions:
            log.info(
                "retention: deleted %d events, %d issues, %d transactions",
                result.events,
                result.issues,
                result.transactions,
            )

    def _digest(self, claimed: list[Claimed]) -> DigestResult:
        ids = [message.id for message in claimed]
        with _collector_paused():
            result = digest_batch(  # empties `claimed`
                self.sessions,
                claimed,
                self.compression,
                self.settings.max_envelope_size,
                self.settings.max_attachment_size,
            )
        self.queue.ack(ids)
        return result

    def _digest_one_by_one(self, claimed: list[Claimed]) -> None:
        for message in claimed:
            try:
                self._digest([message])
            except Exception:
                # Not acknowledged: it comes back when its lease ends. Nothing that got a 200 is dropped.
                log.exception("envelope %s failed to digest (delivery %d)", message.id, message.deliveries)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch is digested.

    A batch holds hundreds of thousands of freshly parsed JSON containers at once; with the collector running,
    their allocation triggers collections that rescan them over and over (it tripled the cost of parsing).
    Event data holds no cycles: what the batch allocated is freed by reference counting when it ends, and
    any cycle left over is found by the next collection once the collector runs again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_worker(settings: Settings) -> None:
    """Entry point of `heron worker` and of the worker process `heron serve` supervises."""
    os.nice(WORKER_NICENESS)
    engine = make_engine(settings.resolved_database_url, writer=True, page_cache_kib=DIGEST_PAGE_CACHE_KIB)
    queue = open_queue(settings.resolved_queue_url)
    worker = DigestWorker(settings, queue, make_sessionmaker(engine))

    def stop(_signum: int, _frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("digest worker started (batch %d)", settings.digest_batch_size)
    started = time.monotonic()
    try:
        worker.run()
    finally:
        queue.close()
        engine.dispose()
        log.info("digest worker stopped after %.0f s", time.monotonic() - started)

"""The SQLite spool: its own file, so ingest never waits on the main database's write lock.

Puts use group commit: the envelopes that requests put during one turn of the event loop are written in one
transaction, on the loop's own thread, when the turn ends; only then do their requests answer 200. The commit's
fsync takes ~0.1 ms here; a writer thread instead cost more than it saved: every put and every answer crossed
threads (a wake-up, a GIL hand-over), about 5 % of all the CPU a loaded `heron serve` and its workers used.
The loop also waits while a digest worker's claim or acknowledgement holds the spool's write lock (a few ms).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from heron.queue.base import Claimed, QueuedEnvelope, QueueUnavailable
from heron.queue.leases import LeaseOwner

log = logging.getLogger(__name__)

# Version 2 keeps each body in a table of its own. A claim rewrites the lease columns of the rows it takes; when
# those rows carried the bodies (version 1), SQLite rewrote each whole ~4 KiB row into the log to change 20 bytes
# of it, and buffered every claimed body in a temporary file to return it. Bodies are written once and deleted
# once now: the spool writes 25 instead of 34 KiB per envelope, log and checkpoints included (strace of a drain).
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS envelopes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    received REAL NOT NULL,
    client_ip TEXT,
    content_encoding TEXT,
    visible_at REAL NOT NULL DEFAULT 0,
    deliveries INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT
);
CREATE TABLE IF NOT EXISTS bodies (
    id INTEGER PRIMARY KEY,
    body BLOB NOT NULL
);
"""
# Version 1 (one table, bodies inline) is converted when a spool of that layout is opened: nothing waiting is lost.
UPGRADE_FROM_1 = (
    """
ALTER TABLE envelopes RENAME TO envelopes_v1;
DROP INDEX IF EXISTS envelopes_project;
"""
    + SCHEMA
    + """
INSERT INTO envelopes (id, project_id, received, client_ip, content_encoding, visible_at, deliveries, claimed_by)
    SELECT id, project_id, received, client_ip, content_encoding, visible_at, deliveries, claimed_by
    FROM envelopes_v1;
INSERT INTO bodies (id, body) SELECT id, body FROM envelopes_v1;
DELETE FROM sqlite_sequence WHERE name = 'envelopes';
UPDATE sqlite_sequence SET name = 'envelopes' WHERE name = 'envelopes_v1';
DROP TABLE envelopes_v1;
"""
)
# A 10 KiB event body fits in one page, with no overflow chain: SQLite reads a chain page by page to free it, and
# an acknowledgement of 500 decoded bodies cost 29 µs per envelope with 4 KiB pages against 13 with 32 KiB; the
# writes of a group cost 36 instead of 46 µs per envelope, claims 10 instead of 13 (spool microbenchmark,
# docs/performance.md).
PAGE_SIZE = 32 * 1024
# The log is copied into the file once it holds this much (SQLite's default is 1,000 pages: 4 MiB of its default
# 4 KiB pages, 32 MiB of ours, whose copy would hold up the event loop that commits puts eight times as long).
CHECKPOINT_BYTES = 4 * 1024 * 1024
MAX_GROUP = 2000  # envelopes per transaction; a busier turn of the loop commits several groups
BODIES_PER_SELECT = 500  # ids per `IN (…)`, well under SQLite's limit on bound parameters
# How often a consumer looks for leases held by workers that died (their envelopes come back at once).
ORPHAN_CHECK_INTERVAL = 2.0

_Pending = tuple[QueuedEnvelope, asyncio.Future[None]]


def _connect(path: str, synchronous: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    # Only a new spool takes it (SQLite cannot change the page size of a database in WAL mode).
    connection.execute(f"PRAGMA page_size={PAGE_SIZE}")
    _use_wal(connection)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.execute(f"PRAGMA wal_autocheckpoint={max(1, CHECKPOINT_BYTES // page_size)}")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("PRAGMA busy_timeout=30000")
    # A claim's RETURNING rows are buffered before they are returned: in memory, not in a temporary file.
    connection.execute("PRAGMA temp_store=MEMORY")
    return connection


def _use_wal(connection: sqlite3.Connection, timeout: float = 30.0) -> None:
    """Switch the spool to WAL, waiting for other processes doing the same: a new spool file is opened at once by
    `heron serve` and its freshly forked workers, and SQLite answers "database is locked" to the losers of that
    switch without calling the busy handler."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def resize_empty_spool(path: str) -> bool:
    """Give an empty spool made with other pages (before `PAGE_SIZE` was set) pages of `PAGE_SIZE`; whether it
    did. Only while no other process has the spool open: SQLite leaves WAL mode, to change the page size, only
    for a connection of its own; otherwise, or when envelopes wait, the spool stays as it is until a later start.
    `heron serve`, `heron worker` and `heron migrate` try it before they open the spool."""
    if not Path(path).exists():
        return False  # a new spool takes PAGE_SIZE as it is made
    connection = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        if connection.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE:
            return False
        if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False  # converted to the current layout first, by the next open
        if connection.execute("SELECT EXISTS (SELECT 1 FROM envelopes) OR EXISTS (SELECT 1 FROM bodies)").fetchone()[0]:
            return False
        try:
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            return False  # another connection holds it
        if mode != "delete":
            return False
        try:
            connection.execute(f"PRAGMA page_size={PAGE_SIZE}")
            connection.execute("VACUUM")  # a transaction of its own: on failure the spool is as it was
        except sqlite3.Error as exc:
            log.warning("the spool keeps its page size for now: %s", exc)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:  # whoever opens the spool next switches it to WAL (`_use_wal`)
            log.warning("the spool is not back in WAL mode yet: %s", exc)
        return bool(connection.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE)
    finally:
        connection.close()


def _create_or_upgrade(connection: sqlite3.Connection) -> None:
    """Create the spool's tables, or convert an older layout; several processes may open a new spool at once."""
    if connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            columns = {row[1] for row in connection.execute("PRAGMA table_info(envelopes)")}
            script = UPGRADE_FROM_1 if "body" in columns else SCHEMA
            for statement in script.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


class SqliteQueue:
    """The default queue backend (see heron.queue.base.EnvelopeQueue)."""

    def __init__(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        # Claims and acknowledgements need not survive power loss: a lost one only delivers an envelope again,
        # and the digest stores each event once however often it comes.
        self._reader = _connect(path, "NORMAL")
        _create_or_upgrade(self._reader)
        self._reader_lock = threading.Lock()
        # FULL: a 200 from ingest promises the envelope survives power loss too; group commit pays for the fsync.
        self._writer: sqlite3.Connection | None = None  # opened by the first put: consumers never write envelopes
        self._writer_lock = threading.Lock()
        self._groups: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}  # the group each loop is filling
        self._closed = False
        self._owner = LeaseOwner(Path(path + "-leases"))
        self._next_orphan_check = 0.0

    async def put(self, envelope: QueuedEnvelope) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        group = self._groups.get(loop)
        if group is None or len(group) >= MAX_GROUP:
            group = self._groups[loop] = []
            loop.call_soon(self._commit_group, loop, group)
        group.append((envelope, future))
        await future

    def _commit_group(self, loop: asyncio.AbstractEventLoop, group: list[_Pending]) -> None:
        if self._groups.get(loop) is group:
            del self._groups[loop]
        error = self._commit(group)  # an empty group was committed by close()
        for _, future in group:
            _settle(future, error)

    def _commit(self, group: list[_Pending]) -> BaseException | None:
        """Write a group; the error its requests fail with, if any (logged once for the group)."""
        if not group:
            return None
        try:
            self._write_group(group)
        except sqlite3.Error as exc:
            log.error("the spool could not store %d envelope(s): %s", len(group), exc)
            error = QueueUnavailable(f"the spool could not store the envelope: {exc}")
            error.__cause__ = exc
            return error
        return None

    def _write_group(self, group: list[_Pending]) -> None:
        with self._writer_lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the spool is closed")
            if self._writer is None:
                self._writer = _connect(self._path, "FULL")
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                bodies = []
                for envelope, _ in group:
                    cursor = connection.execute(
                        "INSERT INTO envelopes (project_id, received, client_ip, content_encoding) VALUES (?, ?, ?, ?)",
                        (envelope.project_id, envelope.received, envelope.client_ip, envelope.content_encoding),
                    )
                    bodies.append((cursor.lastrowid, envelope.body))
                connection.executemany("INSERT INTO bodies (id, body) VALUES (?, ?)", bodies)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    def claim(self, limit: int, lease_seconds: float) -> list[Claimed]:
        self._owner.hold()
        now = time.time()
        if now >= self._next_orphan_check:
            self._release_orphaned_leases(now)
            self._next_orphan_check = now + ORPHAN_CHECK_INTERVAL
        with self._reader_lock:
            self._reader.execute("BEGIN IMMEDIATE")
            try:
                rows = self._reader.execute(
                    "UPDATE envelopes SET visible_at = ?, claimed_by = ?, deliveries = deliveries + 1 WHERE id IN "
                    "(SELECT id FROM envelopes WHERE visible_at <= ? ORDER BY id LIMIT ?) "
                    "RETURNING id, project_id, received, client_ip, content_encoding, deliveries",
                    (now + lease_seconds, self._owner.token, now, limit),
                ).fetchall()
                self._reader.execute("COMMIT")
            except BaseException:
                self._reader.execute("ROLLBACK")
                raise
            # Read after the commit: a body never changes, and only the holder of its lease deletes it.
            bodies = self._bodies([row[0] for row in rows])
        rows.sort(key=lambda row: row[0])
        return [_claimed(row, bodies[row[0]]) for row in rows]

    def leased(self, ids: list[int | str]) -> list[Claimed]:
        wanted = {int(i) for i in ids}
        with self._reader_lock:
            # This worker's leases are its current batch: read them all and keep the ones asked for.
            held = self._reader.execute(
                "SELECT id, project_id, received, client_ip, content_encoding, deliveries FROM envelopes "
                "WHERE claimed_by = ? AND visible_at > ? ORDER BY id",
                (self._owner.token, time.time()),
            )
            rows = [row for row in held if row[0] in wanted]
            bodies = self._bodies([row[0] for row in rows])
        return [_claimed(row, bodies[row[0]]) for row in rows]

    def _bodies(self, ids: list[int]) -> dict[int, bytes]:
        bodies: dict[int, bytes] = {}
        for start in range(0, len(ids), BODIES_PER_SELECT):
            chunk = ids[start : start + BODIES_PER_SELECT]
            placeholders = ", ".join("?" * len(chunk))
            bodies.update(self._reader.execute(f"SELECT id, body FROM bodies WHERE id IN ({placeholders})", chunk))
        return bodies

    def _release_orphaned_leases(self, now: float) -> None:
        """Make envelopes leased by workers that died visible again (nothing acknowledged waits for a timeout)."""
        with self._reader_lock:
            owners = [
                row[0]
                for row in self._reader.execute(
                    "SELECT DISTINCT claimed_by FROM envelopes WHERE visible_at > ? AND claimed_by IS NOT NULL", (now,)
                )
            ]
            dead = [owner for owner in owners if self._owner.is_dead(owner)]
            for owner in dead:
                self._reader.execute("UPDATE envelopes SET visible_at = 0 WHERE claimed_by = ?", (owner,))
        for owner in dead:
            self._owner.forget(owner)

    def ack(self, ids: list[int | str]) -> None:
        if not ids:
            return
        with self._reader_lock:
            self._reader.execute("BEGIN IMMEDIATE")
            self._reader.executemany("DELETE FROM envelopes WHERE id = ?", [(i,) for i in ids])
            self._reader.executemany("DELETE FROM bodies WHERE id = ?", [(i,) for i in ids])
            self._reader.execute("COMMIT")

    def depth(self) -> int:
        with self._reader_lock:
            return int(self._reader.execute("SELECT count(*) FROM envelopes").fetchone()[0])

    def oldest_received(self) -> float | None:
        with self._reader_lock:
            row = self._reader.execute("SELECT received FROM envelopes ORDER BY id LIMIT 1").fetchone()
        return None if row is None else float(row[0])

    def close(self) -> None:
        # Groups whose turn of the loop has not ended yet are committed now, and their requests answered.
        for loop, group in list(self._groups.items()):
            self._groups.pop(loop, None)
            pending = list(group)
            group.clear()
            error = self._commit(pending)
            if not loop.is_closed():
                for _, future in pending:
                    loop.call_soon_threadsafe(_settle, future, error)
        with self._writer_lock:
            self._closed = True
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        with self._reader_lock:
            self._reader.close()
        self._owner.release()


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


def _claimed(row: tuple[Any, ...], body: bytes) -> Claimed:
    """A claimed envelope from its row (id, project_id, received, client_ip, content_encoding, deliveries)."""
    envelope = QueuedEnvelope(project_id=row[1], received=row[2], client_ip=row[3], content_encoding=row[4], body=body)
    return Claimed(id=row[0], envelope=envelope, deliveries=row[5])

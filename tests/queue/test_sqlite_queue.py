"""The SQLite spool: group-committed puts, leased claims, acknowledgements, and a dead worker's leases."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from heron.queue import QueuedEnvelope, QueueUnavailable
from heron.queue.leases import LeaseOwner
from heron.queue.sqlite import CHECKPOINT_BYTES, PAGE_SIZE, SqliteQueue, resize_empty_spool


def put_all(queue: SqliteQueue, count: int) -> None:
    async def run() -> None:
        await asyncio.gather(*(queue.put(QueuedEnvelope(1, time.time(), f"body {i}".encode())) for i in range(count)))

    asyncio.run(run())


def test_concurrent_puts_are_all_durable_in_order(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "q.sqlite3"))
    put_all(queue, 500)
    queue.close()
    reopened = SqliteQueue(str(tmp_path / "q.sqlite3"))
    claimed = reopened.claim(1000, 60)
    assert len(claimed) == 500 == reopened.depth()
    assert sorted(c.envelope.body for c in claimed) == sorted(f"body {i}".encode() for i in range(500))
    reopened.close()


def test_the_puts_of_one_turn_of_the_event_loop_are_committed_together(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "q.sqlite3"))
    put_all(queue, 1)  # opens the write connection
    statements: list[str] = []
    queue._writer.set_trace_callback(statements.append)  # type: ignore[union-attr]
    put_all(queue, 300)
    assert statements.count("COMMIT") == 1
    assert queue.depth() == 301
    queue.close()


def test_puts_from_event_loops_in_several_threads_are_all_durable(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "q.sqlite3"))
    start = threading.Barrier(4)

    def put_from_own_loop(thread: int) -> None:
        async def run() -> None:
            start.wait()
            for round in range(10):
                await asyncio.gather(
                    *(queue.put(QueuedEnvelope(1, time.time(), f"{thread}.{round}.{i}".encode())) for i in range(20))
                )

        asyncio.run(run())

    threads = [threading.Thread(target=put_from_own_loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    queue.close()
    reopened = SqliteQueue(str(tmp_path / "q.sqlite3"))
    bodies = sorted(c.envelope.body for c in reopened.claim(1000, 60))
    assert bodies == sorted(f"{t}.{r}.{i}".encode() for t in range(4) for r in range(10) for i in range(20))
    reopened.close()


def test_closing_commits_and_answers_the_puts_of_the_current_turn(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "q.sqlite3"))

    async def run() -> None:
        puts = [asyncio.ensure_future(queue.put(QueuedEnvelope(1, time.time(), b"late %d" % i))) for i in range(5)]
        await asyncio.sleep(0)  # the puts have joined a group; the turn that would commit it has not ended
        queue.close()
        await asyncio.wait_for(asyncio.gather(*puts), timeout=5)

    asyncio.run(run())
    reopened = SqliteQueue(str(tmp_path / "q.sqlite3"))
    assert sorted(c.envelope.body for c in reopened.claim(10, 60)) == [b"late %d" % i for i in range(5)]
    reopened.close()


def test_a_put_after_close_fails_and_writes_nothing(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "q.sqlite3"))
    queue.close()
    try:
        put_all(queue, 1)
    except QueueUnavailable as error:
        assert "closed" in str(error)
    else:
        raise AssertionError("a closed spool accepted an envelope")
    reopened = SqliteQueue(str(tmp_path / "q.sqlite3"))
    assert reopened.depth() == 0
    reopened.close()


def test_a_new_spool_has_pages_that_hold_an_event_body_and_an_older_one_keeps_its_own(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "new.sqlite3"))
    put_all(queue, 1)
    assert queue._reader.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_BYTES // PAGE_SIZE
    queue.close()
    older = sqlite3.connect(tmp_path / "old.sqlite3")
    older.execute("PRAGMA journal_mode=WAL")  # a spool made before: SQLite's default page size, in WAL mode
    older.close()
    reopened = SqliteQueue(str(tmp_path / "old.sqlite3"))
    put_all(reopened, 2)
    assert len(reopened.claim(10, 60)) == 2
    # Either way the log is copied into the file every CHECKPOINT_BYTES.
    assert reopened._reader.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == CHECKPOINT_BYTES // 4096
    reopened.close()
    page_size = {
        name: sqlite3.connect(tmp_path / name).execute("PRAGMA page_size").fetchone()[0]
        for name in ("new.sqlite3", "old.sqlite3")
    }
    assert page_size == {"new.sqlite3": PAGE_SIZE, "old.sqlite3": 4096}


def _old_spool(path: Path, envelopes: int) -> None:
    older = sqlite3.connect(path)
    older.execute("PRAGMA journal_mode=WAL")  # a spool made before PAGE_SIZE: SQLite's default page size
    older.close()
    queue = SqliteQueue(str(path))
    put_all(queue, envelopes + 2)
    queue.ack([c.id for c in queue.claim(2, 60)])
    queue.close()


def _page_size_and_mode(path: Path) -> tuple[int, str]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA page_size").fetchone()[0], connection.execute(
            "PRAGMA journal_mode"
        ).fetchone()[0]
    finally:
        connection.close()


def test_an_empty_spool_of_an_older_page_size_is_resized_before_it_is_opened(tmp_path: Path) -> None:
    _old_spool(tmp_path / "q.sqlite3", envelopes=0)
    assert _page_size_and_mode(tmp_path / "q.sqlite3") == (4096, "wal")
    assert resize_empty_spool(str(tmp_path / "q.sqlite3"))
    assert _page_size_and_mode(tmp_path / "q.sqlite3") == (PAGE_SIZE, "wal")
    assert not resize_empty_spool(str(tmp_path / "q.sqlite3"))  # nothing left to do
    queue = SqliteQueue(str(tmp_path / "q.sqlite3"))
    put_all(queue, 3)
    assert len(queue.claim(10, 60)) == 3
    queue.close()


def test_a_spool_with_waiting_envelopes_or_open_elsewhere_keeps_its_pages(tmp_path: Path) -> None:
    _old_spool(tmp_path / "waiting.sqlite3", envelopes=2)
    assert not resize_empty_spool(str(tmp_path / "waiting.sqlite3"))
    assert _page_size_and_mode(tmp_path / "waiting.sqlite3") == (4096, "wal")

    _old_spool(tmp_path / "open.sqlite3", envelopes=0)
    holder = SqliteQueue(str(tmp_path / "open.sqlite3"))  # another process's spool, say a running `heron serve`
    try:
        started = time.monotonic()
        assert not resize_empty_spool(str(tmp_path / "open.sqlite3"))
        assert time.monotonic() - started < 5
        put_all(holder, 1)
        assert len(holder.claim(10, 60)) == 1
    finally:
        holder.close()
    assert _page_size_and_mode(tmp_path / "open.sqlite3") == (4096, "wal")
    assert not resize_empty_spool(str(tmp_path / "missing.sqlite3"))


def test_claimed_envelopes_are_hidden_until_acknowledged_or_their_lease_ends(tmp_path: Path) -> None:
    queue = SqliteQueue(str(tmp_path / "q.sqlite3"))
    put_all(queue, 3)
    first = queue.claim(2, lease_seconds=0.3)
    assert [c.deliveries for c in first] == [1, 1]
    assert len(queue.claim(10, 60)) == 1
    queue.ack([first[0].id])
    time.sleep(0.4)
    again = queue.claim(10, 60)
    assert [(c.id, c.deliveries) for c in again] == [(first[1].id, 2)]
    assert queue.depth() == 2
    queue.close()


def test_a_worker_reads_again_the_envelopes_it_still_holds_and_no_others(tmp_path: Path) -> None:
    # A worker frees a batch's bodies as it digests them; when the batch fails it reads them again to digest
    # them one by one. Envelopes acknowledged, out of their lease, or leased by another worker are left out.
    path = str(tmp_path / "q.sqlite3")
    queue = SqliteQueue(path)
    put_all(queue, 4)
    held = queue.claim(3, lease_seconds=60)
    assert queue.leased([c.id for c in held]) == held
    queue.ack([held[0].id])
    assert [c.envelope.body for c in queue.leased([c.id for c in reversed(held)])] == [b"body 1", b"body 2"]
    expiring = queue.claim(1, lease_seconds=0.2)
    time.sleep(0.3)
    assert queue.leased([c.id for c in expiring]) == []
    other = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, path], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "1"
        assert queue.leased([c.id for c in expiring]) == []
    finally:
        other.kill()
        other.wait()
    queue.close()


SPOOL_V1 = """
CREATE TABLE envelopes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    received REAL NOT NULL,
    client_ip TEXT,
    content_encoding TEXT,
    body BLOB NOT NULL,
    visible_at REAL NOT NULL DEFAULT 0,
    deliveries INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT
);
CREATE INDEX envelopes_project ON envelopes (project_id);
INSERT INTO envelopes (id, project_id, received, client_ip, content_encoding, body, deliveries)
    VALUES (1, 7, 100.0, '10.0.0.1', 'br', x'0102', 2), (5, 8, 101.0, NULL, NULL, x'03', 0);
INSERT INTO envelopes (id, project_id, received, body) VALUES (9, 8, 102.0, x'04');
DELETE FROM envelopes WHERE id = 9;
"""


def test_a_spool_of_the_first_layout_is_converted_when_opened(tmp_path: Path) -> None:
    # Version 1 kept the bodies inline, so every claim rewrote them; what waited in such a spool must survive.
    path = tmp_path / "q.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(SPOOL_V1)
    queue = SqliteQueue(str(path))
    assert queue.depth() == 2
    claimed = queue.claim(10, 60)
    assert [(c.id, c.envelope, c.deliveries) for c in claimed] == [
        (1, QueuedEnvelope(7, 100.0, b"\x01\x02", "br", "10.0.0.1"), 3),
        (5, QueuedEnvelope(8, 101.0, b"\x03", None, None), 1),
    ]
    put_all(queue, 1)
    assert queue.claim(10, 60)[0].id == 10  # ids are never reused, even those deleted before the upgrade
    queue.ack([c.id for c in claimed])
    assert queue.depth() == 1
    queue.close()
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"envelopes", "bodies"} <= tables and "envelopes_v1" not in tables
        assert connection.execute("SELECT count(*) FROM bodies").fetchone() == (1,)


def test_bodies_are_kept_apart_from_leases_and_deleted_with_their_acknowledgement(tmp_path: Path) -> None:
    # A claim changes only the small lease rows; each body is written once (put) and deleted once (ack).
    path = tmp_path / "q.sqlite3"
    queue = SqliteQueue(str(path))
    put_all(queue, 700)  # more than one SELECT of bodies
    claimed = queue.claim(1000, 60)
    assert sorted(c.envelope.body for c in claimed) == sorted(f"body {i}".encode() for i in range(700))
    with sqlite3.connect(path) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(envelopes)")}
        assert "body" not in columns and "claimed_by" in columns
    queue.ack([c.id for c in claimed])
    assert queue.depth() == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM bodies").fetchone() == (0,)
    queue.close()


CLAIM_AND_HANG = """
import sys, time
from heron.queue.sqlite import CHECKPOINT_BYTES, PAGE_SIZE, SqliteQueue, resize_empty_spool
queue = SqliteQueue(sys.argv[1])
print(len(queue.claim(100, 3600)), flush=True)
time.sleep(600)
"""


def test_a_killed_workers_leases_are_released_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "q.sqlite3")
    queue = SqliteQueue(path)
    put_all(queue, 5)
    worker = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, path], stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None and worker.stdout.readline().strip() == "5"
    assert queue.claim(100, 60) == []  # a live worker's leases are respected
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    time.sleep(2.1)  # the orphan check runs every two seconds
    assert len(queue.claim(100, 60)) == 5
    queue.close()


def test_threads_sharing_a_queue_take_its_lease_lock_once(tmp_path: Path) -> None:
    # Three digest workers in threads of one process once hung CI: two took the lock at the same time, and the
    # second open of the lock file waited on the first one's flock forever.
    owner = LeaseOwner(tmp_path / "leases")
    start = threading.Barrier(8)

    def take() -> None:
        start.wait()
        owner.hold()

    threads = [threading.Thread(target=take, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    assert not LeaseOwner(tmp_path / "leases").is_dead(owner.token)
    owner.release()

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

from heron.queue import QueuedEnvelope
from heron.queue.leases import LeaseOwner
from heron.queue.sqlite import SCHEMA, SqliteQueue


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


def test_depth_counts_an_index_rather_than_the_rows_that_carry_the_bodies(tmp_path: Path) -> None:
    # A spool that existed before the index was added gets it when it is opened.
    path = tmp_path / "q.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(SCHEMA)
    queue = SqliteQueue(str(path))
    put_all(queue, 3)
    with sqlite3.connect(path) as connection:
        plan = connection.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM envelopes").fetchall()
    assert "COVERING INDEX envelopes_project" in plan[0][-1]
    assert queue.depth() == 3
    queue.close()


CLAIM_AND_HANG = """
import sys, time
from heron.queue.sqlite import SqliteQueue
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

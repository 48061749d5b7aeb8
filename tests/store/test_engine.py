"""SQLite connection settings: writer transactions, reads that never wait for the write lock, durability."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import event, text

from heron.store.engine import make_engine, make_sessionmaker, read_transaction, transaction


def test_a_writer_reads_without_waiting_for_the_write_lock(tmp_path: Path) -> None:
    # Two digest workers: one storing a batch holds the write lock; the other must still read its projects.
    url = f"sqlite:///{tmp_path / 'heron.sqlite3'}"
    engine = make_engine(url, writer=True)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        session.execute(text("CREATE TABLE projects (id INTEGER PRIMARY KEY)"))
        session.execute(text("INSERT INTO projects VALUES (1)"))
    other = sqlite3.connect(tmp_path / "heron.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with read_transaction(sessions) as session:
            assert session.execute(text("SELECT id FROM projects")).scalars().all() == [1]
        assert time.monotonic() - started < 1.0
    finally:
        other.execute("ROLLBACK")
        other.close()
    # A writing transaction from the same factory (and pooled connection) still takes the write lock first.
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_: statements.append(statement))
    with transaction(sessions) as session:
        session.execute(text("INSERT INTO projects VALUES (2)"))
    assert statements[0] == "BEGIN IMMEDIATE"
    engine.dispose()


def test_sqlite_commits_survive_power_loss_and_checkpoint_in_large_steps(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'heron.sqlite3'}")
    with engine.connect() as connection:
        # 2 = FULL: the digest acknowledges envelopes after its commit, so the commit must be on disk first.
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
    engine.dispose()


def test_each_engine_keeps_the_page_cache_it_is_given(tmp_path: Path) -> None:
    # Pages and the API read with 8 MiB per connection; digest workers write with SQLite's default 2 MiB.
    url = f"sqlite:///{tmp_path / 'heron.sqlite3'}"
    for engine, kib in ((make_engine(url), 8192), (make_engine(url, writer=True, page_cache_kib=2048), 2048)):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -kib
        engine.dispose()

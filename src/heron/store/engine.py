"""Engines and sessions for SQLite (WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
WAL_CHECKPOINT_PAGES = 10_000
# Page cache per SQLite connection, in KiB, unless `make_engine` is told otherwise; the operating system caches
# the rest of the file.
PAGE_CACHE_KIB = 8192
# Execution option of a connection that only reads: on a writer engine it still begins DEFERRED (`read_transaction`).
READS_ONLY = "heron_reads_only"


def make_engine(url: str, *, writer: bool = False, page_cache_kib: int = PAGE_CACHE_KIB, **kwargs: Any) -> Engine:
    """An engine for `url`. SQLite connections get WAL, a busy timeout, foreign keys and `page_cache_kib` of
    page cache.

    `writer` (the digest): SQLite transactions begin IMMEDIATE, taking the write lock before the first read, so
    what the digest read cannot change under it (a resolve committed by a page meanwhile is never overwritten);
    except those of `read_transaction`, which never wait for the write lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}, **kwargs
        )
        event.listen(engine, "connect", functools.partial(_configure_sqlite, page_cache_kib=page_cache_kib))
        event.listen(engine, "begin", _begin_immediate if writer else _begin_deferred)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _begin_immediate(connection: Any) -> None:
    reads_only = connection.get_execution_options().get(READS_ONLY, False)
    connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    # pysqlite's own transaction handling is off (isolation_level=None); SQLAlchemy's BEGIN is emitted here.
    connection.exec_driver_sql("BEGIN")


def _configure_sqlite(dbapi_connection: Any, _record: Any, *, page_cache_kib: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: the digest acknowledges envelopes to the queue after its commit, so the commit has to survive power
    # loss like the queue does (NORMAL survives only a process crash). One fsync of the log per digested batch.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA cache_size={-page_cache_kib}")
    # Copy the log into the database every 10,000 pages (~40 MiB) rather than SQLite's 1,000: a page the digest
    # changes again and again (an issue's row, its tag counts, an index leaf) is copied once per checkpoint, and
    # the digest wrote 9 % fewer bytes per event this way.
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def read_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that only reads. On SQLite it begins DEFERRED even from a writer's factory: two digest workers
    would otherwise queue for the write lock just to read, each behind the other's whole store step."""
    with factory() as session, session.begin():
        session.connection(execution_options={READS_ONLY: True})
        yield session

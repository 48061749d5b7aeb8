"""Engines and sessions for SQLite (WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, writer: bool = False, **kwargs: Any) -> Engine:
    """An engine for `url`. SQLite connections get WAL, a busy timeout and foreign keys.

    `writer` (the digest): SQLite transactions begin IMMEDIATE, taking the write lock before the first read, so
    what the digest read cannot change under it (a resolve committed by a page meanwhile is never overwritten).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}, **kwargs
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate if writer else _begin_deferred)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    # pysqlite's own transaction handling is off (isolation_level=None); SQLAlchemy's BEGIN is emitted here.
    connection.exec_driver_sql("BEGIN")


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash; the queue (not this database) holds what was acknowledged.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # 8 MiB of page cache per connection; the operating system caches the rest of the file.
    cursor.execute("PRAGMA cache_size=-8192")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    with factory() as session, session.begin():
        yield session

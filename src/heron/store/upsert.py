"""INSERT … ON CONFLICT for both engines (SQLite and PostgreSQL share the syntax, not the SQLAlchemy class)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]], conflict: list[str]) -> None:
    """Insert rows, skipping those that collide on the `conflict` columns."""
    if not rows:
        return
    statement = _insert(session, table).on_conflict_do_nothing(index_elements=conflict)
    session.execute(statement, list(rows))


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    conflict: list[str],
    update: Callable[[Any], dict[str, ColumnElement[Any]]],
) -> None:
    """Insert rows; on a collision update the existing row with `update(excluded)`."""
    if not rows:
        return
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(index_elements=conflict, set_=update(statement.excluded))
    session.execute(statement, list(rows))


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

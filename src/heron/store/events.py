"""Stored events: the digest's inserts and the reads of the API and pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from heron.store.driver import driver_datetime, driver_sql
from heron.store.models import Attachment, Event, TransactionEvent, table_of
from heron.store.upsert import insert_ignore


def existing_event_ids(session: Session, project_id: int, event_ids: Iterable[str]) -> set[str]:
    """Which of `event_ids` the project already stored (redelivered envelopes must not count twice)."""
    wanted = sorted(set(event_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            session.scalars(
                select(Event.event_id).where(
                    Event.project_id == project_id, Event.event_id.in_(wanted[start : start + 500])
                )
            )
        )
    return found


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert event rows (dicts of Event columns, the optional ones may be left out; `body` already compressed).

    One row per event digested, so straight to the driver like the tag counts (heron.store.tags): SQLAlchemy's
    per-row parameter processing was a third of the cost. Datetimes are bound as SQLAlchemy would bind them for
    `UTCDateTime` columns (naive UTC text on SQLite).
    """
    if not rows:
        return
    connection = session.connection()
    stamp = driver_datetime(connection)
    parameters = [
        (
            row["project_id"],
            row["issue_id"],
            row["event_id"],
            stamp(row["timestamp"]),
            stamp(row["received"]),
            row["level"],
            row["title"],
            row.get("environment"),
            row.get("release"),
            row.get("transaction"),
            row.get("user_key"),
            row.get("trace_id"),
            row["body"],
        )
        for row in rows
    ]
    connection.exec_driver_sql(driver_sql(connection, _INSERT_EVENTS), parameters)


_INSERT_EVENTS = (
    "INSERT INTO events (project_id, issue_id, event_id, timestamp, received, level, title, environment, release, "
    '"transaction", user_key, trace_id, body) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)'
)


def insert_transactions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert raw transactions, skipping ones already stored."""
    insert_ignore(session, table_of(TransactionEvent), rows, ["project_id", "event_id"])


def insert_attachments(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert attachments (dicts of Attachment columns; `body` already compressed), skipping stored ones."""
    insert_ignore(session, table_of(Attachment), rows, ["project_id", "event_id", "filename"])


def issue_events(session: Session, issue_id: int, *, offset: int, limit: int, newest_first: bool = True) -> list[Event]:
    """One page of the issue's events, newest first (or oldest first)."""
    order = (Event.timestamp.desc(), Event.id.desc()) if newest_first else (Event.timestamp, Event.id)
    statement = select(Event).where(Event.issue_id == issue_id).order_by(*order).offset(offset).limit(limit)
    return list(session.scalars(statement))


def project_events(session: Session, project_id: int, *, offset: int, limit: int) -> list[Event]:
    """One page of the project's events, newest first."""
    statement = (
        select(Event)
        .where(Event.project_id == project_id)
        .order_by(Event.timestamp.desc(), Event.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(statement))


def project_event(session: Session, project_id: int, event_id: str) -> Event | None:
    """The project's event with this 32-hex event id."""
    return session.scalars(select(Event).where(Event.project_id == project_id, Event.event_id == event_id)).first()


def neighbour_event_ids(session: Session, event: Event, *, same_issue: bool) -> tuple[str | None, str | None]:
    """The event ids just before and just after `event` in time, within its issue or else its project."""
    scope = Event.issue_id == event.issue_id if same_issue else Event.project_id == event.project_id
    # The plain bound on the timestamp lets SQLite seek the (scope, timestamp) index: with bound parameters it does
    # not derive one from the OR, and scanned every event of a 100,000-event issue (70 ms) to find the next one.
    earlier = and_(
        Event.timestamp <= event.timestamp,
        or_(Event.timestamp < event.timestamp, and_(Event.timestamp == event.timestamp, Event.id < event.id)),
    )
    later = and_(
        Event.timestamp >= event.timestamp,
        or_(Event.timestamp > event.timestamp, and_(Event.timestamp == event.timestamp, Event.id > event.id)),
    )
    previous = session.scalars(
        select(Event.event_id).where(scope, earlier).order_by(Event.timestamp.desc(), Event.id.desc()).limit(1)
    ).first()
    following = session.scalars(
        select(Event.event_id).where(scope, later).order_by(Event.timestamp, Event.id).limit(1)
    ).first()
    return previous, following

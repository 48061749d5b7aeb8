"""Stored events: the digest's inserts and the reads of the API and pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heron.store.models import Attachment, Event, TransactionEvent
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
    """Insert event rows (dicts of Event columns; `body` already compressed)."""
    if rows:
        session.execute(Event.__table__.insert(), list(rows))


def insert_transactions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert raw transactions, skipping ones already stored."""
    insert_ignore(session, TransactionEvent.__table__, rows, ["project_id", "event_id"])  # type: ignore[arg-type]


def insert_attachments(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert attachments (dicts of Attachment columns; `body` already compressed), skipping stored ones."""
    insert_ignore(session, Attachment.__table__, rows, ["project_id", "event_id", "filename"])  # type: ignore[arg-type]

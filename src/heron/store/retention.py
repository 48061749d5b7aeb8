"""Retention: each project keeps its events for its `retention_days` (set on its settings page), then they go.

Deleting runs in small transactions (RETENTION_BATCH rows each), so the digest, which shares SQLite's single write
lock, waits at most one short batch. An issue goes when its last event has expired (its hashes, tag counts, users
and history go with it); raw transactions kept for the performance digest expire the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from heron.store.engine import transaction
from heron.store.models import Event, Issue, PerfRollup, Profile, Project, SpanRollup, Transaction, TransactionEvent
from heron.store.transactions import FINE_ROLLUP_DAYS, RESOLUTIONS

RETENTION_BATCH = 2_000


@dataclass
class RetentionResult:
    """How many rows a sweep deleted."""

    events: int = 0
    issues: int = 0
    transactions: int = 0
    rollups: int = 0


def delete_expired(sessions: sessionmaker[Session], now: datetime, *, batch: int = RETENTION_BATCH) -> RetentionResult:
    """Delete every project's events, issues and raw transactions older than its retention."""
    with sessions() as session:
        projects = list(session.execute(select(Project.id, Project.retention_days)))
    result = RetentionResult()
    for project_id, days in projects:
        cutoff = now - timedelta(days=days)
        result.events += _delete_in_batches(sessions, Event, Event.timestamp, project_id, cutoff, batch)
        result.issues += _delete_in_batches(sessions, Issue, Issue.last_seen, project_id, cutoff, batch)
        result.transactions += _delete_in_batches(sessions, Transaction, Transaction.start, project_id, cutoff, batch)
        result.transactions += _delete_in_batches(
            sessions, TransactionEvent, TransactionEvent.received, project_id, cutoff, batch
        )
        _delete_in_batches(sessions, Profile, Profile.received, project_id, cutoff, batch)
        result.rollups += _delete_rollups(sessions, project_id, now, cutoff)
    return result


def _delete_rollups(sessions: sessionmaker[Session], project_id: int, now: datetime, cutoff: datetime) -> int:
    deleted = 0
    with transaction(sessions) as session:
        for model in (PerfRollup, SpanRollup):
            for resolution in RESOLUTIONS:
                days = FINE_ROLLUP_DAYS.get(resolution)
                oldest = cutoff if days is None else max(cutoff, now - timedelta(days=days))
                # a bucket goes when all of it is older (a week straddling the cutoff still counts kept days)
                ended = oldest - timedelta(seconds=resolution)
                statement = delete(model).where(
                    model.project_id == project_id, model.resolution == resolution, model.bucket <= ended
                )
                deleted += len(session.execute(statement.returning(model.project_id)).all())
    return deleted


def _delete_in_batches(
    sessions: sessionmaker[Session], model: Any, moment: Any, project_id: int, cutoff: datetime, batch: int
) -> int:
    deleted = 0
    while True:
        with transaction(sessions) as session:
            ids = select(model.id).where(model.project_id == project_id, moment < cutoff).limit(batch)
            count = len(
                session.execute(delete(model).where(model.id.in_(ids.scalar_subquery())).returning(model.id)).all()
            )
        deleted += count
        if count < batch:
            return deleted

"""Event counts over time for charts: per project from the per-minute outcomes the digest keeps (a few rows per
minute, whatever the volume), per issue from the events' (issue, timestamp) index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heron.store.models import Event, Outcome

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Series:
    """Counts in consecutive buckets of `step`, the first starting at `start`, the last holding `now`."""

    start: datetime
    step: timedelta
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def bucket_starts(self) -> list[datetime]:
        """When each bucket starts."""
        return [self.start + self.step * index for index in range(len(self.counts))]


def project_event_series(
    session: Session, project_ids: Iterable[int], now: datetime, buckets: int = 24, step: timedelta = HOUR
) -> dict[int, Series]:
    """Events each project stored per bucket (by the time they were received), ending with `now`'s bucket."""
    accepted_errors = (Outcome.category == "error", Outcome.outcome == "accepted")
    window = _Window(now, buckets, step)
    return _series_per_key(
        session, Outcome.project_id, Outcome.minute, func.sum(Outcome.quantity), accepted_errors, project_ids, window
    )


def issue_event_series(
    session: Session, issue_ids: Iterable[int], now: datetime, buckets: int = 24, step: timedelta = HOUR
) -> dict[int, Series]:
    """Events of each issue per bucket (by event timestamp), ending with `now`'s bucket."""
    window = _Window(now, buckets, step)
    return _series_per_key(session, Event.issue_id, Event.timestamp, func.count(), (), issue_ids, window)


@dataclass(frozen=True, slots=True)
class _Window:
    now: datetime
    buckets: int
    step: timedelta

    @property
    def start(self) -> datetime:
        return _bucket_floor(self.now, self.step) - self.step * (self.buckets - 1)


def _series_per_key(
    session: Session,
    key: Any,
    moment: Any,
    count: Any,
    conditions: tuple[Any, ...],
    keys: Iterable[int],
    window: _Window,
) -> dict[int, Series]:
    """`count` per `key` and bucket of `moment` over the window (one grouped query), as a series per key."""
    wanted = sorted(set(keys))
    start = window.start
    found: dict[int, dict[datetime, int]] = defaultdict(dict)
    if wanted:
        bucket = _truncate(session, moment, window.step)
        rows = session.execute(
            select(key, bucket, count).where(key.in_(wanted), moment >= start, *conditions).group_by(key, bucket)
        )
        for owner, when, total in rows:
            found[owner][_as_utc(when)] = int(total or 0)
    return {owner: _series(start, window.step, window.buckets, found[owner]) for owner in wanted}


def _truncate(session: Session, column: Any, step: timedelta) -> Any:
    """`column` truncated to the hour or the day, in UTC, as the dialect spells it."""
    if step not in (HOUR, DAY):
        raise ValueError(f"buckets are an hour or a day, not {step}")
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour" if step == HOUR else "day", func.timezone("UTC", column))
    # SQLite keeps UTC datetimes as naive ISO text (heron.store.types.UTCDateTime).
    return func.strftime("%Y-%m-%d %H:00:00" if step == HOUR else "%Y-%m-%d 00:00:00", column)


def _as_utc(value: datetime | str) -> datetime:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _bucket_floor(when: datetime, step: timedelta) -> datetime:
    when = when.astimezone(UTC)
    return (
        when.replace(minute=0, second=0, microsecond=0)
        if step == HOUR
        else when.replace(hour=0, minute=0, second=0, microsecond=0)
    )


def _series(start: datetime, step: timedelta, buckets: int, counts: dict[datetime, int]) -> Series:
    return Series(start, step, tuple(counts.get(start + step * index, 0) for index in range(buckets)))

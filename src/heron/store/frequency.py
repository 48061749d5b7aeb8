"""Event counts over time for charts: per project from the per-minute outcomes the digest keeps (a few rows per
minute, whatever the volume), per issue from the events' (issue, timestamp) index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    BindParameter,
    CompoundSelect,
    Executable,
    Integer,
    Interval,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from heron.store.models import Event, Outcome

# What a series counts: an issue's events (by timestamp), or a project's accepted errors (per-minute outcomes).
Counted = Literal["issue_events", "project_events"]
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
    return _series_per_owner(session, "project_events", project_ids, _Window(now, buckets, step))


def issue_event_series(
    session: Session, issue_ids: Iterable[int], now: datetime, buckets: int = 24, step: timedelta = HOUR
) -> dict[int, Series]:
    """Events of each issue per bucket (by event timestamp), ending with `now`'s bucket."""
    return _series_per_owner(session, "issue_events", issue_ids, _Window(now, buckets, step))


@dataclass(frozen=True, slots=True)
class _Window:
    now: datetime
    buckets: int
    step: timedelta

    @property
    def start(self) -> datetime:
        return _bucket_floor(self.now, self.step) - self.step * (self.buckets - 1)

    def bucket_starts(self) -> list[datetime]:
        return [self.start + self.step * index for index in range(self.buckets)]


def _series_per_owner(session: Session, counted: Counted, owners: Iterable[int], window: _Window) -> dict[int, Series]:
    """What `counted` counts per owner in each bucket of the window, as a series per owner.

    Each bucket is counted as a range of the (owner, time) index: SQLite and PostgreSQL count the entries of a range
    without reading the rows. Grouping the rows by a bucket computed from each one (strftime, date_trunc) cost far
    more: for the 30 days of an issue with 100,000 events, 190 ms against 15 ms on SQLite (a temporary B-tree of
    every row), 50 ms against 17 ms on PostgreSQL.
    """
    wanted = sorted(set(owners))
    found: dict[int, dict[int, int]] = defaultdict(dict)
    if wanted:
        if session.get_bind().dialect.name == "postgresql":
            bounds: dict[str, Any] = {"start": window.start, "step": window.step, "last_bucket": window.buckets - 1}
            statement: Executable = _bucket_counts_postgresql(counted)
        else:
            bounds = {}
            for index, start in enumerate(window.bucket_starts()):
                bounds[f"start_{index}"], bounds[f"end_{index}"] = start, start + window.step
            statement = _bucket_counts_sqlite(counted, window.buckets)
        for owner, index, total in session.execute(statement, {"owners": wanted, **bounds}):
            found[owner][int(index)] = int(total or 0)
    return {
        owner: Series(window.start, window.step, tuple(found[owner].get(i, 0) for i in range(window.buckets)))
        for owner in wanted
    }


def _counted(counted: Counted) -> tuple[Any, Any, Any, tuple[Any, ...]]:
    """(owner column, time column, what to add up, conditions) of what a series counts."""
    if counted == "project_events":  # the per-minute outcomes of accepted errors
        accepted_errors = (Outcome.category == "error", Outcome.outcome == "accepted")
        return Outcome.project_id, Outcome.minute, func.sum(Outcome.quantity), accepted_errors
    return Event.issue_id, Event.timestamp, func.count(), ()


# The statements are built once per shape (they are immutable): building 24 or 30 selects took longer than running
# them for a small issue.


@cache
def _bucket_counts_sqlite(counted: Counted, buckets: int) -> CompoundSelect[Any]:
    """Per owner (`owners`), a range count per bucket (`start_N` to `end_N`), glued with UNION ALL (SQLite has
    neither `unnest` nor `generate_series` to make the buckets in the statement)."""
    key, moment, total, conditions = _counted(counted)
    owners: BindParameter[int] = bindparam("owners", expanding=True)
    return union_all(
        *(
            select(key, literal_column(str(index)), total)
            .where(
                key.in_(owners),
                moment >= bindparam(f"start_{index}", type_=moment.type),
                moment < bindparam(f"end_{index}", type_=moment.type),
                *conditions,
            )
            .group_by(key)
            for index in range(buckets)
        )
    )


@cache
def _bucket_counts_postgresql(counted: Counted) -> Select[Any]:
    """A range count for each owner (`owners`, an array) and bucket (`start` + N `step`, N up to `last_bucket`).

    One short statement whatever the number of buckets and owners, planned once: the UNION ALL that SQLite gets cost
    PostgreSQL more in planning and parameters (17 ms for a page of the stream) than grouping rows did (9 ms); this
    takes 7 ms.
    """
    key, moment, total, conditions = _counted(counted)
    owners = (
        func.unnest(bindparam("owners", type_=ARRAY(BigInteger())))
        .table_valued(column("owner", BigInteger()))
        .render_derived(name="owners")
    )
    buckets = (
        func.generate_series(0, bindparam("last_bucket", type_=Integer()))
        .table_valued(column("bucket", Integer()))
        .render_derived(name="buckets")
    )
    start = bindparam("start", type_=moment.type)
    step = bindparam("step", type_=Interval())
    in_bucket = (
        select(total)
        .where(
            key == owners.c.owner,
            moment >= start + buckets.c.bucket * step,
            moment < start + (buckets.c.bucket + 1) * step,
            *conditions,
        )
        .scalar_subquery()
    )
    return select(owners.c.owner, buckets.c.bucket, in_bucket).select_from(owners).join(buckets, true())


def _bucket_floor(when: datetime, step: timedelta) -> datetime:
    if step not in (HOUR, DAY):
        raise ValueError(f"buckets are an hour or a day, not {step}")
    when = when.astimezone(UTC)
    return (
        when.replace(minute=0, second=0, microsecond=0)
        if step == HOUR
        else when.replace(hour=0, minute=0, second=0, microsecond=0)
    )

"""Performance rows: transactions, their rollups (counts and latency sketches per time bucket), slow spans and
profiles. The digest computes what to add (heron.digest.transactions); this module only reads and writes rows, so
the sketches stay opaque bytes here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from heron.store.models import Event, PerfRollup, Profile, SlowSpan, SpanRollup, Transaction, table_of
from heron.store.upsert import insert_ignore

# Rollups are kept per minute, hour, day and week (7-day buckets from the epoch): a period's totals are read at the
# coarsest resolution that fits, and its charts at the coarsest that still draws enough points, so the 90-day totals
# of a name cost about 19 week and day rows, and its 90-day chart 91 day rows, not 129,600 minutes.
MINUTE, HOUR, DAY, WEEK = 60, 3600, 86400, 7 * 86400
RESOLUTIONS = (MINUTE, HOUR, DAY, WEEK)
# Rollups finer than a day are read only for short periods (heron.perf.summaries.read_plan reads minutes up to two
# days and hours up to 14 days), so they are kept only this many days; days and weeks follow the project's retention.
FINE_ROLLUP_DAYS = {MINUTE: 2, HOUR: 15}
# What to read: rollups of a resolution with buckets from a start up to an end (None: up to now), as
# heron.perf.summaries.read_plan lays them out.
Segment = tuple[int, datetime, datetime | None]
_CHUNK = 300
_NAMES_PER_QUERY = 100


def stored_event_ids(session: Session, project_id: int, event_ids: Iterable[str]) -> set[str]:
    """Which of these transaction event ids the project has already (a redelivered batch must not count twice)."""
    wanted = sorted(set(event_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        statement = select(Transaction.event_id).where(
            Transaction.project_id == project_id, Transaction.event_id.in_(chunk)
        )
        found.update(session.scalars(statement))
    return found


def insert_transactions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert transactions (dicts of Transaction columns)."""
    if rows:
        session.connection().execute(insert(table_of(Transaction)), list(rows))


def transaction_ids(session: Session, project_id: int, event_ids: Iterable[str]) -> dict[str, int]:
    """The row ids of the project's transactions with these event ids."""
    wanted = sorted(set(event_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        statement = select(Transaction.event_id, Transaction.id).where(
            Transaction.project_id == project_id, Transaction.event_id.in_(wanted[start : start + _CHUNK])
        )
        found.update({event_id: row_id for event_id, row_id in session.execute(statement)})
    return found


def rollups(
    session: Session, model: type[PerfRollup] | type[SpanRollup], keys: Sequence[tuple[Any, ...]]
) -> dict[tuple[Any, ...], Row[Any]]:
    """The stored rollup rows of `keys` (primary-key tuples in the model's key order), by key. One query per
    project and resolution looks the rest of the key up as lists of values, which the primary key answers seek by
    seek; the few rows of other combinations it may also return are dropped."""
    columns = _key_columns(model)
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for key in keys:
        groups.setdefault(key[:2], []).append(key)
    wanted = set(keys)
    found: dict[tuple[Any, ...], Row[Any]] = {}
    for (project_id, resolution), group in groups.items():
        names, kinds, buckets = (sorted({key[i] for key in group}) for i in (2, 3, 4))
        for start in range(0, len(names), _NAMES_PER_QUERY):
            statement = select(*table_of(model).columns).where(
                columns[0] == project_id,
                columns[1] == resolution,
                columns[2].in_(names[start : start + _NAMES_PER_QUERY]),
                columns[3].in_(kinds),
                columns[4].in_(buckets),
            )
            for row in session.execute(statement):
                key = tuple(row[:5])
                if key in wanted:
                    found[key] = row
    return found


def save_rollups(
    session: Session,
    model: type[PerfRollup] | type[SpanRollup],
    new: Sequence[dict[str, Any]],
    changed: Sequence[dict[str, Any]],
) -> None:
    """Insert the new rollup rows and overwrite the changed ones (dicts of the model's columns)."""
    if new:
        session.connection().execute(insert(table_of(model)), list(new))
    if changed:
        table = table_of(model)
        keys = [column.key for column in _key_columns(model)]
        values = [column.key for column in table.columns if column.key not in keys]
        statement = (
            update(table)
            .where(*(table.c[key] == bindparam(f"k_{key}") for key in keys))
            .values({value: bindparam(f"v_{value}") for value in values})
        )
        params = [
            {**{f"k_{key}": row[key] for key in keys}, **{f"v_{value}": row[value] for value in values}}
            for row in changed
        ]
        session.connection().execute(statement, params)


def add_measurements(session: Session, project_id: int, event_id: str, measurements: dict[str, float]) -> None:
    """Merge measurements into a stored transaction's (nothing when it is not stored)."""
    statement = select(Transaction.id, Transaction.measurements).where(
        Transaction.project_id == project_id, Transaction.event_id == event_id
    )
    found = session.execute(statement).first()
    if found is not None:
        merged = {**(found.measurements or {}), **measurements}
        session.execute(update(Transaction).where(Transaction.id == found.id).values(measurements=merged))


def insert_slow_spans(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert slow spans (dicts of SlowSpan columns)."""
    if rows:
        session.execute(insert(SlowSpan), list(rows))


def insert_profiles(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert profiles (dicts of Profile columns, `body` compressed), skipping ones stored already, and mark their
    transactions as profiled."""
    insert_ignore(session, table_of(Profile), rows, ["project_id", "event_id"])
    profiled = sorted({(row["project_id"], row["transaction_event_id"]) for row in rows if row["transaction_event_id"]})
    if profiled:
        statement = update(Transaction).where(tuple_(Transaction.project_id, Transaction.event_id).in_(profiled))
        session.execute(statement.values(has_profile=True))


def rollup_key(model: type[PerfRollup] | type[SpanRollup]) -> list[str]:
    """The names of the rollup's key columns, in the order `rollups()` expects key tuples."""
    return [column.key for column in _key_columns(model)]


def _segment(
    model: type[PerfRollup] | type[SpanRollup], segment: Segment, *, one_series: bool = False
) -> ColumnElement[bool]:
    """Rows of the segment's resolution within its time range. `one_series`: the rows of one name are wanted, which
    its series in the primary key holds; the time range is then put in a form no index serves, or SQLite (with no
    statistics) walks the (project, resolution, bucket) index through every name's rows of the range."""
    resolution, start, end = segment
    bucket = _unindexed(model.bucket) if one_series else model.bucket
    return and_(model.resolution == resolution, bucket >= start, *([bucket < end] if end is not None else []))


def _unindexed(column: Any) -> Any:
    """The column in a form no index serves, on SQLite and PostgreSQL alike (COALESCE of itself: the same values
    and type), so that a condition on it filters the rows of the index the planner is left to pick."""
    return func.coalesce(column, column)


def _key_columns(model: type[PerfRollup] | type[SpanRollup]) -> list[Any]:
    return list(table_of(model).primary_key.columns)


def perf_rollups(
    session: Session,
    project_ids: Sequence[int],
    plan: Sequence[Segment],
    *,
    environments: Sequence[str] = (),
    name: str | None = None,
) -> Sequence[Row[Any]]:
    """The transaction rollups of these projects that the plan's segments name (of these environments and this
    name, when given)."""
    if not project_ids or not plan:
        return []
    rows: list[Row[Any]] = []
    for segment in plan:  # one query per segment: an OR of ranges would keep SQLite off the primary key
        statement = select(*table_of(PerfRollup).columns).where(
            PerfRollup.project_id.in_(sorted(project_ids)), _segment(PerfRollup, segment, one_series=name is not None)
        )
        if environments:
            statement = statement.where(PerfRollup.environment.in_(sorted(set(environments))))
        if name is not None:
            statement = statement.where(PerfRollup.name == name)
        rows += session.execute(statement).all()  # plain rows: thousands of them, no ORM objects needed
    return rows


def span_rollups(
    session: Session, project_ids: Sequence[int], plan: Sequence[Segment], *, name: str | None = None
) -> Sequence[Row[Any]]:
    """The span rollups of these projects that the plan's segments name (within transactions `name`)."""
    if not project_ids or not plan:
        return []
    rows: list[Row[Any]] = []
    for segment in plan:
        statement = select(*table_of(SpanRollup).columns).where(
            SpanRollup.project_id.in_(sorted(project_ids)), _segment(SpanRollup, segment)
        )
        if name is not None:
            statement = statement.where(SpanRollup.name == name)
        rows += session.execute(statement).all()
    return rows


TRANSACTION_ORDERS = {"transaction.duration": Transaction.duration_ms, "timestamp": Transaction.start}
# From this many matching transactions of one name on, its slowest are found walking the (project, name, duration)
# index from the top, skipping those outside the period, instead of sorting every one of the period. (SQLite, with no
# statistics, would pick the (project, name, start) index and sort two million rows for a 90-day period.)
WALK_DURATIONS_FROM = 5_000


def transaction_events(
    session: Session,
    project_ids: Sequence[int],
    since: datetime,
    *,
    name: str | None = None,
    environments: Sequence[str] = (),
    order: str = "-timestamp",
    offset: int = 0,
    limit: int = 20,
    matching: int | None = None,
) -> list[Transaction]:
    """Transactions from `since` on (of a name and environments, when given), ordered by `order`: `timestamp` or
    `transaction.duration`, with `-` for descending. `matching`: how many of them the rollups count, when the
    caller knows (see WALK_DURATIONS_FROM)."""
    if not project_ids:
        return []
    walk = name is not None and order.endswith("transaction.duration") and (matching or 0) >= WALK_DURATIONS_FROM
    # walking: the period's condition must not be served by an index, which leaves the planner the duration index,
    # already in the wanted order
    start = _unindexed(Transaction.start) if walk else Transaction.start
    statement = select(Transaction).where(Transaction.project_id.in_(sorted(project_ids)), start >= since)
    if name is not None:
        statement = statement.where(Transaction.name == name)
    if environments:
        statement = statement.where(Transaction.environment.in_(sorted(set(environments))))
    column = TRANSACTION_ORDERS[order.removeprefix("-")]
    ordering = (column.desc(), Transaction.id.desc()) if order.startswith("-") else (column, Transaction.id)
    return list(session.scalars(statement.order_by(*ordering).offset(offset).limit(limit)))


def transaction_by_event_id(session: Session, project_id: int, event_id: str) -> Transaction | None:
    """The project's transaction with this event id."""
    statement = select(Transaction).where(Transaction.project_id == project_id, Transaction.event_id == event_id)
    return session.scalars(statement).first()


def trace_transactions(session: Session, project_ids: Sequence[int], trace_id: str) -> list[Transaction]:
    """The transactions of a trace in these projects, by start."""
    statement = select(Transaction).where(
        Transaction.trace_id == trace_id, Transaction.project_id.in_(sorted(project_ids))
    )
    return list(session.scalars(statement.order_by(Transaction.start).limit(1000)))


def trace_errors(
    session: Session, project_ids: Sequence[int], trace_id: str, since: datetime, until: datetime
) -> list[Event]:
    """The error events of a trace in these projects between `since` and `until`, by time. Events have no index on
    trace ids (it would cost every stored event); their (project, timestamp) index bounds the scan instead."""
    statement = select(Event).where(
        Event.project_id.in_(sorted(project_ids)),
        Event.timestamp >= since,
        Event.timestamp <= until,
        Event.trace_id == trace_id,
    )
    return list(session.scalars(statement.order_by(Event.timestamp).limit(1000)))


def recent_slow_spans(
    session: Session, project_id: int, since: datetime, limit: int = 100
) -> list[tuple[SlowSpan, Transaction]]:
    """The project's slow spans from `since` on, slowest first, with their transactions."""
    statement = (
        select(SlowSpan, Transaction)
        .join(Transaction, Transaction.id == SlowSpan.transaction_id)
        .where(SlowSpan.project_id == project_id, SlowSpan.start >= since)
        .order_by(SlowSpan.duration_ms.desc(), SlowSpan.id)
        .limit(limit)
    )
    return [(row.SlowSpan, row.Transaction) for row in session.execute(statement)]


def profile_of(session: Session, project_id: int, transaction_event_id: str) -> Profile | None:
    """The profile sent with a transaction, if any."""
    statement = select(Profile).where(
        Profile.project_id == project_id, Profile.transaction_event_id == transaction_event_id
    )
    return session.scalars(statement).first()

"""Numbers of a transaction name over a period, from its rollup rows: throughput, failure rate, Apdex, average and
percentiles (merged sketches), and the same per time bucket for charts. Pure: rows in, numbers out."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from heron.perf.sketch import Sketch
from heron.perf.sketch_sum import SketchSum

PERCENTILES = {"p50": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99}
# statsPeriod values the pages offer; the API accepts any `<n>m|h|d|w`.
PERIODS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7),
           "14d": timedelta(days=14), "30d": timedelta(days=30), "90d": timedelta(days=90)}  # fmt: skip
MINUTE, HOUR, DAY, WEEK = 60, 3600, 86400, 7 * 86400


# A rollup row (heron.store.models.PerfRollup or SpanRollup columns, as ORM objects or plain rows): `bucket`,
# `count`, `duration_sum`, `sketch`, and for transactions `failures`, `satisfied` and `tolerated`.
Rollup = Any
K = TypeVar("K", bound=Hashable)


@dataclass(slots=True)
class Summary:
    """Counts and a merged sketch of some transactions (or spans), read from rollup rows."""

    count: int = 0
    failures: int = 0
    satisfied: int = 0
    tolerated: int = 0
    duration_sum: float = 0.0
    sketch: SketchSum = field(default_factory=SketchSum)

    def add(self, row: Rollup) -> None:
        self.count += row.count
        self.duration_sum += row.duration_sum
        self.failures += getattr(row, "failures", 0)
        self.satisfied += getattr(row, "satisfied", 0)
        self.tolerated += getattr(row, "tolerated", 0)
        self.sketch.add_bytes(row.sketch)

    def merge(self, other: Summary) -> None:
        """Add another summary (cheaper than adding its rows again: their sketches are parsed already)."""
        self.count += other.count
        self.duration_sum += other.duration_sum
        self.failures += other.failures
        self.satisfied += other.satisfied
        self.tolerated += other.tolerated
        self.sketch.merge(other.sketch)

    def percentile(self, name: str) -> float | None:
        """`p50`, `p75`, `p95` or `p99`, in milliseconds."""
        return self.sketch.quantile(PERCENTILES[name])

    def percentiles(self) -> dict[str, float | None]:
        return dict(zip(PERCENTILES, self.sketch.quantiles(PERCENTILES.values()), strict=True))

    @property
    def average(self) -> float | None:
        return self.duration_sum / self.count if self.count else None

    @property
    def failure_rate(self) -> float | None:
        return self.failures / self.count if self.count else None

    @property
    def apdex(self) -> float | None:
        return (self.satisfied + self.tolerated / 2) / self.count if self.count else None

    def per_minute(self, period: timedelta) -> float:
        """Throughput over the period."""
        return self.count / max(period.total_seconds() / 60, 1e-9)


def summarize(rows: Iterable[Rollup], key: Callable[[Rollup], K]) -> dict[K, Summary]:
    """One Summary per key (a span operation, a project and transaction name…) over all the rows."""
    summaries: dict[K, Summary] = {}
    for row in rows:
        summaries.setdefault(key(row), Summary()).add(row)
    return summaries


def series(rows: Iterable[Rollup], since: datetime, until: datetime, step: int) -> list[tuple[datetime, Summary]]:
    """A Summary per bucket of `step` seconds from `since` to `until` (empty buckets included)."""
    start = _floor(since, step)
    buckets = [start + timedelta(seconds=step * i) for i in range(math.ceil((until - start).total_seconds() / step))]
    by_bucket = {bucket: Summary() for bucket in buckets}
    for row in rows:
        bucket = _floor(row.bucket, step)
        if bucket in by_bucket:
            by_bucket[bucket].add(row)
    return list(by_bucket.items())


def histogram(sketch: SketchSum, bins: int = 20) -> list[tuple[float, float, int]]:
    """Counts of durations in `bins` log-spaced ranges between the smallest and largest bucket: (from, to, count)."""
    buckets = sketch.buckets()
    if not buckets:
        return []
    low, high = max(sketch.quantile(0.0) or 0.0, 1e-3), max(sketch.quantile(1.0) or 0.0, 1e-3)
    if high <= low:
        return [(low, high, sketch.count)]
    ratio = (high / low) ** (1 / bins)
    edges = [low * ratio**i for i in range(bins + 1)]
    counts = [0] * bins
    for index, times in buckets.items():
        value = Sketch.value_of(index)
        position = min(bins - 1, max(0, int(math.log(max(value, low) / low) / math.log(ratio))))
        counts[position] += times
    counts[0] += sketch.zero
    return [(edges[i], edges[i + 1], counts[i]) for i in range(bins)]


# Rollups of one resolution with buckets from a start up to (not including) an end; None: up to now.
Segment = tuple[int, datetime, datetime | None]


def read_plan(period: timedelta, now: datetime, *, coarsest: int = WEEK) -> list[Segment]:
    """Which rollups cover the last `period`, with few rows per series: the coarse buckets that fit, and finer
    ones for the partial bucket at the start. Up to 2 hours: minutes. Up to 2 days: whole hours, minutes before
    the first. Up to 14 days: whole days, hours before the first. Beyond (finer rollups are gone by then): whole
    weeks, days from the start of the first day before the first week; with `coarsest=DAY` (charts, which need a
    point per day), days only."""
    since = now - period
    if period <= timedelta(hours=2):
        return [(MINUTE, _floor(since, MINUTE), None)]
    if period <= timedelta(days=14):
        top, edge = (HOUR, MINUTE) if period <= timedelta(days=2) else (DAY, HOUR)
        return [(edge, _floor(since, edge), _ceil(since, top)), (top, _ceil(since, top), None)]
    start = _floor(since, DAY)
    if coarsest < WEEK:
        return [(DAY, start, None)]
    return [(DAY, start, _ceil(start, WEEK)), (WEEK, _ceil(start, WEEK), None)]


def resolution_for(period: timedelta) -> int:
    """The resolution a period's charts are read at (their steps are multiples of it)."""
    return read_plan(period, datetime(2000, 1, 1, tzinfo=UTC), coarsest=DAY)[-1][0]


def parse_period(text: str) -> timedelta | None:
    """`90d`, `24h`, `30m`, `2w` as a timedelta (1 minute to 90 days); None when it is not one."""
    units = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        return None
    seconds = int(text[:-1]) * units[text[-1]]
    return timedelta(seconds=seconds) if 60 <= seconds <= 90 * 86400 else None


def _floor(moment: datetime, step: int) -> datetime:
    epoch = moment.timestamp()
    return datetime.fromtimestamp(epoch - epoch % step, moment.tzinfo)


def _ceil(moment: datetime, step: int) -> datetime:
    floor = _floor(moment, step)
    return floor if floor == moment else floor + timedelta(seconds=step)

"""Which rollups a period reads: few rows per series, covering the period from the bucket holding its start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from heron.perf.summaries import DAY, HOUR, MINUTE, WEEK, parse_period, read_plan, resolution_for

NOW = datetime(2026, 11, 29, 8, 47, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "resolutions", "most_rows", "coarsest"),
    [
        (timedelta(hours=1), [MINUTE], 61, WEEK),
        (timedelta(hours=24), [MINUTE, HOUR], 60 + 24, WEEK),
        (timedelta(days=7), [HOUR, DAY], 24 + 7, WEEK),
        (timedelta(days=14), [HOUR, DAY], 24 + 14, WEEK),
        (timedelta(days=30), [DAY, WEEK], 7 + 5, WEEK),
        (timedelta(days=90), [DAY, WEEK], 7 + 13, WEEK),
        (timedelta(days=90), [DAY], 91, DAY),  # charts: a point per day
    ],
)
def test_a_period_is_read_coarsely_with_fine_buckets_only_at_its_start(
    period: timedelta, resolutions: list[int], most_rows: int, coarsest: int
) -> None:
    plan = read_plan(period, NOW, coarsest=coarsest)
    assert [resolution for resolution, _start, _end in plan] == resolutions
    since = NOW - period
    first_start = plan[0][1]
    assert first_start <= since and since - first_start < timedelta(seconds=plan[0][0])  # the bucket holding it
    rows = 0
    for index, (resolution, start, end) in enumerate(plan):
        stop = end or NOW
        assert start.timestamp() % resolution == 0
        if index + 1 < len(plan):
            assert end == plan[index + 1][1]  # contiguous, no overlap
        rows += int((stop - start).total_seconds() // resolution) + 1
    assert rows <= most_rows
    assert resolution_for(period) == min(resolutions[-1], DAY)


def test_periods_are_parsed() -> None:
    assert parse_period("90d") == timedelta(days=90)
    assert parse_period("30m") == timedelta(minutes=30)
    for bad in ("91d", "0m", "1y", "d", "-1h", "30s"):
        assert parse_period(bad) is None

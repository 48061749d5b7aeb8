"""Series become bars: the tallest fills the chart, empty buckets are flat, each bar says what it counts."""

from __future__ import annotations

from datetime import UTC, datetime

from heron.store.frequency import DAY, HOUR, Series
from heron.web.charts import bar_chart

START = datetime(2024, 5, 10, 0, 0, tzinfo=UTC)


def test_the_tallest_bar_fills_the_height_and_others_scale() -> None:
    chart = bar_chart(Series(START, HOUR, (0, 5, 10, 1) + (0,) * 20), width=240, height=40)
    heights = [bar.height for bar in chart.bars]
    assert heights[:4] == [0.0, 20.0, 40.0, 4.0]
    assert chart.total == 16
    assert chart.summary == "16 events in the last 24 hours"
    assert chart.bars[2].label == "02:00 UTC, May 10: 10 events"
    assert [bar.x for bar in chart.bars[:3]] == [0.0, 10.0, 20.0]


def test_a_single_event_is_still_visible_next_to_a_large_peak() -> None:
    chart = bar_chart(Series(START, HOUR, (1, 10_000)), width=10, height=20)
    assert chart.bars[0].height == 1.0


def test_no_events_draw_no_bars() -> None:
    chart = bar_chart(Series(START, DAY, (0,) * 30), width=300, height=40)
    assert all(bar.height == 0 for bar in chart.bars)
    assert chart.summary == "0 events in the last 30 days"
    assert chart.bars[0].label == "May 10 (UTC): 0 events"

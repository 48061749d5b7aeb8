"""Bar charts as geometry for server-rendered SVG: a series of counts becomes bars in a viewBox. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from heron.store.frequency import HOUR, Series


@dataclass(frozen=True, slots=True)
class Bar:
    """One bucket: its rectangle in the chart's viewBox and what hovering it says."""

    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True, slots=True)
class BarChart:
    """Bars in a `width` by `height` viewBox; `summary` is the chart's accessible name."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    total: int
    summary: str


def bar_chart(series: Series, *, width: int, height: int, gap: float = 1.0) -> BarChart:
    """The bars of `series`, the tallest filling the height; a non-zero count is at least one unit tall."""
    count = len(series.counts)
    peak = max(series.counts, default=0)
    slot = width / count if count else width
    bars = []
    for index, (start, value) in enumerate(zip(series.bucket_starts(), series.counts, strict=True)):
        tall = 0.0 if peak == 0 or value == 0 else max(1.0, height * value / peak)
        label = f"{_bucket_label(start, series.step)}: {value} event{'s' if value != 1 else ''}"
        bars.append(Bar(round(index * slot, 2), round(height - tall, 2), round(max(slot - gap, 0.5), 2),
                        round(tall, 2), label))  # fmt: skip
    span = "24 hours" if series.step == HOUR and count == 24 else _span(series.step * count)
    summary = f"{series.total} event{'s' if series.total != 1 else ''} in the last {span}"
    return BarChart(width, height, tuple(bars), series.total, summary)


def _bucket_label(start: datetime, step: timedelta) -> str:
    return start.strftime("%H:00 UTC, %b %d") if step == HOUR else start.strftime("%b %d (UTC)")


def _span(duration: timedelta) -> str:
    days = duration.days
    return f"{days} days" if days >= 2 else f"{int(duration.total_seconds() // 3600)} hours"


def value_chart(
    points: list[tuple[str, float | None]], *, width: int, height: int, unit: str, gap: float = 1.0
) -> BarChart:
    """Bars of any measured values (durations, rates): `points` are (label, value), None for no data."""
    count = len(points)
    peak = max((value for _label, value in points if value), default=0.0)
    slot = width / count if count else width
    bars = []
    for index, (label, value) in enumerate(points):
        tall = 0.0 if not peak or not value else max(1.0, height * value / peak)
        text = f"{label}: {_number(value)} {unit}" if value is not None else f"{label}: no data"
        bars.append(Bar(round(index * slot, 2), round(height - tall, 2), round(max(slot - gap, 0.5), 2),
                        round(tall, 2), text))  # fmt: skip
    summary = f"peak {_number(peak)} {unit}" if peak else "no data"
    return BarChart(width, height, tuple(bars), count, summary)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")

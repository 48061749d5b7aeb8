"""week rollups: performance totals over 30 and 90 days read 7-day buckets; the weeks of what was digested before
are added up from its day rollups

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 10:30:00.000000
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from alembic import op

import heron.store.types
from heron.perf.sketch import Sketch

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DAY, WEEK = 86400, 7 * 86400
WHEN = heron.store.types.UTCDateTime(timezone=True)
ROLLUPS = {  # table: (the key column after the name, the columns that add up)
    "perf_rollups": ("environment", ("count", "failures", "satisfied", "tolerated", "duration_sum")),
    "span_rollups": ("op", ("count", "duration_sum")),
}


def upgrade() -> None:
    bind = op.get_bind()
    for name, (kind, sums) in ROLLUPS.items():
        table = _table(name, kind, sums)
        days = sa.select(table).where(table.c.resolution == DAY)
        weeks = _add_up(bind.execute(days).mappings(), kind, sums)
        rows = [
            {"project_id": project_id, "resolution": WEEK, "name": transaction, kind: value, "bucket": bucket,
             **totals, "sketch": sketch.to_bytes()}
            for (project_id, transaction, value, bucket), (totals, sketch) in weeks.items()
        ]  # fmt: skip
        for start in range(0, len(rows), 1_000):
            bind.execute(sa.insert(table), rows[start : start + 1_000])


def downgrade() -> None:
    for name in ROLLUPS:
        op.execute(sa.text(f"DELETE FROM {name} WHERE resolution = {WEEK}"))


def _table(name: str, kind: str, sums: tuple[str, ...]) -> sa.TableClause:
    keys: list[sa.ColumnClause[Any]] = [sa.column(column) for column in ("project_id", "resolution", "name", kind)]
    return sa.table(name, *keys, sa.column("bucket", WHEN), *(sa.column(s) for s in sums), sa.column("sketch"))


def _add_up(
    days: Iterable[Any], kind: str, sums: tuple[str, ...]
) -> dict[tuple[Any, ...], tuple[dict[str, Any], Sketch]]:
    """Day rollup rows added up per week: (project id, name, environment or op, week) -> (sums, sketch)."""
    weeks: dict[tuple[Any, ...], tuple[dict[str, Any], Sketch]] = {}
    for day in days:
        moment = day["bucket"].timestamp()
        week = heron.store.types.utc_from_timestamp(moment - moment % WEEK)
        key = (day["project_id"], day["name"], day[kind], week)
        values, sketch = weeks.setdefault(key, ({s: 0 for s in sums}, Sketch()))
        for s in sums:
            values[s] += day[s]
        sketch.merge(Sketch.from_bytes(day["sketch"]))
    return weeks

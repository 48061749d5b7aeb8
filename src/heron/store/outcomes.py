"""Outcomes: per-minute counts of what was accepted, filtered, dropped or discarded, by category."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.orm import Session

from heron.store.models import Outcome, table_of
from heron.store.upsert import upsert

# (project_id, minute, category, outcome, reason)
OutcomeKey = tuple[int, datetime, str, str, str]


def add_outcomes(session: Session, counts: Counter[OutcomeKey]) -> None:
    """Add quantities to the per-minute outcome counters."""
    table = table_of(Outcome)
    rows = [
        {"project_id": p, "minute": m, "category": c, "outcome": o, "reason": r, "quantity": q}
        for (p, m, c, o, r), q in sorted(counts.items())
    ]
    upsert(
        session,
        table,
        rows,
        ["project_id", "minute", "category", "outcome", "reason"],
        lambda excluded: {"quantity": table.c.quantity + excluded.quantity},
    )

"""Per-issue tag value counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case
from sqlalchemy.orm import Session

from heron.store.models import IssueTagValue
from heron.store.upsert import upsert


def add_issue_tag_values(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Count tag values: rows of `issue_id`, `key`, `value`, `times_seen`, `first_seen`, `last_seen`."""
    table = IssueTagValue.__table__
    upsert(
        session,
        table,  # type: ignore[arg-type]
        sorted(rows, key=lambda r: (r["issue_id"], r["key"], r["value"])),
        ["issue_id", "key", "value"],
        lambda excluded: {
            "times_seen": table.c.times_seen + excluded.times_seen,
            "last_seen": case((table.c.last_seen >= excluded.last_seen, table.c.last_seen), else_=excluded.last_seen),
        },
    )

"""An issue's history: who did what to it and when (triage actions and comments), oldest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heron.store.models import IssueActivity, User

MAX_ACTIVITY = 500


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    """One entry of the history, with its author (None once the user is deleted)."""

    kind: str
    text: str
    data: dict[str, Any]
    author: User | None
    date_created: datetime


def record_activity(
    session: Session,
    issue_ids: Sequence[int],
    user_id: int | None,
    kind: str,
    *,
    text: str = "",
    data: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    """Add one entry of `kind` to the history of each issue."""
    session.add_all(
        IssueActivity(issue_id=issue_id, user_id=user_id, kind=kind, text=text, data=data or {}, date_created=now)
        for issue_id in issue_ids
    )
    session.flush()


def issue_activity(session: Session, issue_id: int, kinds: Sequence[str] | None = None) -> list[ActivityEntry]:
    """The issue's history (only `kinds`, if given), oldest first, the latest MAX_ACTIVITY entries at most."""
    statement = (
        select(IssueActivity, User)
        .outerjoin(User, User.id == IssueActivity.user_id)
        .where(IssueActivity.issue_id == issue_id)
        .order_by(IssueActivity.date_created.desc(), IssueActivity.id.desc())
        .limit(MAX_ACTIVITY)
    )
    if kinds is not None:
        statement = statement.where(IssueActivity.kind.in_(kinds))
    rows = session.execute(statement).all()
    return [ActivityEntry(a.kind, a.text, a.data, user, a.date_created) for a, user in reversed(rows)]

"""Issue lists a page at a time by keyset (the sort value and the id of the last row seen), so a deep page
costs what the first one does. The conditions are the one search's (heron.store.search)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from heron.store.models import Issue
from heron.store.search import SORTS, IssueSearch, issue_conditions

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Sorts on a date column: their cursors hold epoch microseconds.
DATE_SORTS = frozenset({"date", "new"})


@dataclass(frozen=True, slots=True)
class IssueCursor:
    """A position in a sorted issue list: the sort value (dates as epoch microseconds) and the issue id.
    `backwards` asks for the page before the position instead of the one after it."""

    value: int
    issue_id: int
    backwards: bool = False


@dataclass(frozen=True, slots=True)
class IssuePage:
    """One page, and the cursors of the pages around it (None where there is none)."""

    issues: list[Issue]
    previous: IssueCursor | None
    next: IssueCursor | None


def issue_page(session: Session, search: IssueSearch, cursor: IssueCursor | None, limit: int) -> IssuePage:
    """The page of `search`'s issues at `cursor` (the first page when None), in the search's order."""
    column = SORTS[search.sort]
    page = select(Issue.id).where(*issue_conditions(search))
    if cursor is not None:
        value = _sort_value(search.sort, cursor.value)
        if cursor.backwards:
            after = or_(column > value, and_(column == value, Issue.id > cursor.issue_id))
        else:
            after = or_(column < value, and_(column == value, Issue.id < cursor.issue_id))
        page = page.where(after)
    backwards = cursor is not None and cursor.backwards
    order = (column.asc(), Issue.id.asc()) if backwards else (column.desc(), Issue.id.desc())
    # The page's ids first, then their rows: what is sorted (every match, when no index gives the order) is an id
    # and a sort value rather than whole issues with their titles and metadata.
    page = page.order_by(*order).limit(limit + 1)
    rows = list(session.scalars(select(Issue).where(Issue.id.in_(page)).order_by(*order)))
    more = len(rows) > limit
    issues = rows[:limit]
    if backwards:
        issues.reverse()
    if not issues:
        return IssuePage([], None, None)
    first, last = _position(search.sort, issues[0]), _position(search.sort, issues[-1])
    has_previous = more if backwards else cursor is not None
    has_next = True if backwards else more
    return IssuePage(
        issues,
        IssueCursor(*first, backwards=True) if has_previous else None,
        IssueCursor(*last) if has_next else None,
    )


def _position(sort: str, issue: Issue) -> tuple[int, int]:
    value = getattr(issue, SORTS[sort].key)
    if sort in DATE_SORTS:
        delta = value - _EPOCH
        value = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return int(value), issue.id


def _sort_value(sort: str, value: int) -> datetime | int:
    return _EPOCH + timedelta(microseconds=value) if sort in DATE_SORTS else value

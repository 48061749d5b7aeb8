"""Issue search as SQL: a parsed query (`heron.search`) becomes conditions over issues, tag values and users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import eq, ge, gt, le, lt
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select
from sqlalchemy.orm import Session

from heron.search import (
    AssignedFilter,
    AssigneeFilter,
    CountFilter,
    DateFilter,
    Filter,
    HasFilter,
    IssueQuery,
    StatusFilter,
    TagFilter,
    TextFilter,
    UserFilter,
)
from heron.store.models import Issue, IssueTagValue, IssueUser, User

# `sort=` of Sentry's issue lists → the column, newest or largest first.
SORTS: dict[str, Any] = {
    "date": Issue.last_seen,
    "new": Issue.first_seen,
    "freq": Issue.times_seen,
    "user": Issue.user_count,
}

_OPERATORS = {">": gt, ">=": ge, "<": lt, "<=": le, "=": eq}


@dataclass(frozen=True, slots=True)
class IssueSearch:
    """What an issue list asks for: where to look, the parsed query, who asks (for `assigned:me`), the order
    and the `statsPeriod` window on last seen."""

    project_ids: Sequence[int]
    query: IssueQuery
    viewer_id: int | None = None
    sort: str = "date"
    last_seen_after: datetime | None = None


def search_issues(session: Session, search: IssueSearch, *, offset: int, limit: int) -> list[Issue]:
    """One page of the issues matching `search`, in its order (ties broken by newest id)."""
    order = SORTS[search.sort]
    statement = (
        select(Issue)
        .where(*issue_conditions(search))
        .order_by(order.desc(), Issue.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(statement))


def issue_conditions(search: IssueSearch) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `search` over `Issue`."""
    if not search.project_ids:
        return [false()]
    conditions: list[ColumnElement[bool]] = [Issue.project_id.in_(sorted(set(search.project_ids)))]
    if search.last_seen_after is not None:
        conditions.append(Issue.last_seen >= search.last_seen_after)
    conditions.extend(filter_condition(item, search.viewer_id) for item in search.query.filters)
    return conditions


def filter_condition(item: Filter, viewer_id: int | None) -> ColumnElement[bool]:
    """One parsed filter as a condition over `Issue`."""
    match item:
        case StatusFilter(statuses, negated):
            condition = Issue.status.in_(sorted(statuses))
            return not_(condition) if negated else condition
        case AssignedFilter(assigned):
            return Issue.assignee_id.is_not(None) if assigned else Issue.assignee_id.is_(None)
        case AssigneeFilter(who, negated):
            return _assignee_condition(who, negated, viewer_id)
        case TagFilter(key, values, negated):
            return _negate(_tag_exists(key, values), negated)
        case HasFilter(key, negated):
            return _negate(_tag_exists(key, ()), negated)
        case UserFilter(field, value, negated):
            # The user's issues, read from the (user_key, issue_id) index: an EXISTS per issue would probe every issue
            # of the projects (10,000 probes: 70 ms on SQLite) however few of them the user was seen in.
            seen_by = select(IssueUser.issue_id).where(IssueUser.user_key == f"{field}:{value}")
            return Issue.id.not_in(seen_by) if negated else Issue.id.in_(seen_by)
        case DateFilter(column, operator, when):
            return _date_condition(getattr(Issue, column), operator, when)
        case CountFilter(column, operator, value):
            return _compare(getattr(Issue, column), operator, value)
        case TextFilter(text, negated):
            pattern = f"%{like_pattern(text)}%"
            found = or_(Issue.title.ilike(pattern, escape="\\"), Issue.culprit.ilike(pattern, escape="\\"))
            return _negate(found, negated)
    raise TypeError(f"unknown filter {item!r}")


def like_pattern(value: str) -> str:
    """`value` for LIKE (with `\\` as the escape): `%` and `_` literal, `*` a wildcard."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def _tag_exists(key: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [IssueTagValue.issue_id == Issue.id, IssueTagValue.key == key]
    plain = [v for v in values if "*" not in v]
    wildcards = [IssueTagValue.value.like(like_pattern(v), escape="\\") for v in values if "*" in v]
    if plain or wildcards:
        conditions.append(or_(*([IssueTagValue.value.in_(plain)] if plain else []), *wildcards))
    return exists().where(*conditions)


def _assignee_condition(who: str, negated: bool, viewer_id: int | None) -> ColumnElement[bool]:
    if who == "none":
        return Issue.assignee_id.is_not(None) if negated else Issue.assignee_id.is_(None)
    if who == "me":
        condition: ColumnElement[bool] = Issue.assignee_id == viewer_id if viewer_id is not None else false()
    elif who.removeprefix("user:").isdigit():
        condition = Issue.assignee_id == int(who.removeprefix("user:"))
    else:
        condition = Issue.assignee_id.in_(select(User.id).where(User.email == who.lower()))
    # Unassigned issues are "not assigned to X" too, which a bare NOT would lose to NULL.
    return or_(Issue.assignee_id.is_(None), not_(condition)) if negated else condition


def _date_condition(column: Any, operator: str, when: datetime) -> ColumnElement[bool]:
    if operator == "day":
        start = when.replace(hour=0, minute=0, second=0, microsecond=0)
        return and_(column >= start, column < start + timedelta(days=1))
    return _compare(column, operator, when)


def _compare(column: Any, operator: str, value: Any) -> ColumnElement[bool]:
    return _OPERATORS[operator](column, value)  # type: ignore[no-any-return]


def _negate(condition: ColumnElement[bool], negated: bool) -> ColumnElement[bool]:
    return not_(condition) if negated else condition

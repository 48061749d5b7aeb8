"""Issues and their grouping hashes: what the digest writes, and what the API and pages read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, case, delete, select, update
from sqlalchemy.orm import Session

from heron.store.driver import driver_sql
from heron.store.models import GroupHash, Issue, Project, table_of
from heron.store.upsert import insert_ignore
from heron.store.visibility import Visibility


def issue_ids_by_hash(session: Session, project_id: int, hashes: Iterable[str]) -> dict[str, int]:
    """The issue owning each of `hashes` that has one."""
    wanted = sorted(set(hashes))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(GroupHash.hash, GroupHash.issue_id).where(
                GroupHash.project_id == project_id, GroupHash.hash.in_(wanted[start : start + 500])
            )
        )
        found.update({row.hash: row.issue_id for row in rows})
    return found


def create_issue(session: Session, project_id: int, values: dict[str, Any]) -> int:
    """Insert a new issue with the project's next short id; returns its id."""
    short_id = (
        session.execute(
            update(Project)
            .where(Project.id == project_id)
            .values(next_short_id=Project.next_short_id + 1)
            .returning(Project.next_short_id)
        ).scalar_one()
        - 1
    )
    issue = Issue(project_id=project_id, short_id=short_id, times_seen=0, user_count=0, **values)
    session.add(issue)
    session.flush()
    return issue.id


def attach_hashes(session: Session, project_id: int, hashes: dict[str, int]) -> None:
    """Record that each hash belongs to its issue (hashes already owned are left alone)."""
    rows = [{"project_id": project_id, "hash": h, "issue_id": issue_id} for h, issue_id in hashes.items()]
    insert_ignore(session, table_of(GroupHash), rows, ["project_id", "hash"])


def issues_by_id(session: Session, ids: Iterable[int], *, for_update: bool = False) -> dict[int, Issue]:
    """Issues by id. `for_update` locks the rows (PostgreSQL) so a concurrent status change cannot be lost."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    statement = select(Issue).where(Issue.id.in_(wanted)).order_by(Issue.id)
    if for_update:
        statement = statement.with_for_update()
    return {issue.id: issue for issue in session.scalars(statement)}


def apply_event_counts(session: Session, updates: Sequence[dict[str, Any]]) -> None:
    """Add a batch's events to their issues: each dict has `issue_id`, `count`, `first_seen`, `last_seen`,
    `status`, `substatus`, `status_details`, and the `level`, `type`, `title`, `culprit` and `metadata_` the issue
    shows from now on."""
    if not updates:
        return
    table = table_of(Issue)
    statement = (
        update(table)
        .where(table.c.id == bindparam("issue_id"))
        .values(
            times_seen=table.c.times_seen + bindparam("count"),
            first_seen=_earlier(table.c.first_seen, bindparam("first_seen", type_=table.c.first_seen.type)),
            last_seen=_later(table.c.last_seen, bindparam("last_seen", type_=table.c.last_seen.type)),
            level=bindparam("level"),
            type=bindparam("type"),
            title=bindparam("title"),
            culprit=bindparam("culprit"),
            metadata=bindparam("metadata_", type_=table.c.metadata.type),
            status=bindparam("status"),
            substatus=bindparam("substatus"),
            status_details=bindparam("status_details", type_=table.c.status_details.type),
        )
    )
    session.connection().execute(statement, list(updates))


def add_issue_users(session: Session, pairs: set[tuple[int, str]]) -> None:
    """Remember distinct users per issue and add the new ones to the issues' user counts.

    One statement per 500 pairs inserts them and returns the ones that were new (`ON CONFLICT DO NOTHING
    RETURNING`, SQLite and PostgreSQL alike), straight through the driver: looking the batch's pairs up first and
    inserting through SQLAlchemy cost 25 µs per event, one user each. The digest's per-project lock keeps another
    worker from adding the same user in between.
    """
    if not pairs:
        return
    connection = session.connection()
    wanted = sorted(pairs)
    added: Counter[int] = Counter()
    for start in range(0, len(wanted), _USERS_PER_INSERT):
        chunk = wanted[start : start + _USERS_PER_INSERT]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        statement = (
            f"INSERT INTO issue_users (issue_id, user_key) VALUES {values} "
            "ON CONFLICT (issue_id, user_key) DO NOTHING RETURNING issue_id"
        )
        parameters = tuple(value for pair in chunk for value in pair)
        inserted = connection.exec_driver_sql(driver_sql(connection, statement), parameters)
        added.update(issue_id for (issue_id,) in inserted)
    if added:
        table = table_of(Issue)
        count = update(table).where(table.c.id == bindparam("issue_id"))
        count = count.values(user_count=table.c.user_count + bindparam("n"))
        connection.execute(count, [{"issue_id": i, "n": n} for i, n in sorted(added.items())])


_USERS_PER_INSERT = 500  # two parameters each, well under SQLite's limit on bound parameters


def visible_issue(session: Session, issue_id: int, visibility: Visibility) -> Issue | None:
    """The issue, if it belongs to a project the user may see."""
    statement = (
        select(Issue)
        .join(Project, Project.id == Issue.project_id)
        .where(Issue.id == issue_id, visibility.project_filter(Project.id, Project.organization_id))
    )
    return session.scalars(statement).first()


def issue_by_short_id(session: Session, organization_id: int, project_slug: str, short_id: int) -> Issue | None:
    """The issue of the organization's project `project_slug` with this short id (`APP-1A` is `app`, 42)."""
    statement = (
        select(Issue)
        .join(Project, Project.id == Issue.project_id)
        .where(
            Project.organization_id == organization_id,
            Project.slug == project_slug,
            Issue.short_id == short_id,
        )
    )
    return session.scalars(statement).first()


def issues_in_projects(session: Session, ids: Iterable[int], project_ids: Iterable[int]) -> list[Issue]:
    """The issues among `ids` that belong to one of `project_ids` (others' ids are silently left out)."""
    wanted, projects = sorted(set(ids)), sorted(set(project_ids))
    if not wanted or not projects:
        return []
    statement = select(Issue).where(Issue.id.in_(wanted), Issue.project_id.in_(projects)).order_by(Issue.id)
    return list(session.scalars(statement))


def change_issues(session: Session, changes: Sequence[tuple[Issue, dict[str, Any]]]) -> None:
    """Apply attribute changes (status, substatus, status_details, resolved_at, assignee_id) to loaded issues."""
    for issue, values in changes:
        for name, value in values.items():
            setattr(issue, name, value)
    session.flush()


def delete_issue(session: Session, issue_id: int) -> None:
    """Delete an issue; its events, hashes, tag values and users go with it (ON DELETE CASCADE)."""
    session.execute(delete(Issue).where(Issue.id == issue_id))


def _earlier(column: Any, value: Any) -> Any:
    # min()/max() of two values is scalar in SQLite but an aggregate in PostgreSQL: CASE works on both.
    return case((column <= value, column), else_=value)


def _later(column: Any, value: Any) -> Any:
    return case((column >= value, column), else_=value)

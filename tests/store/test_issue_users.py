"""Distinct users per issue: each user counted once per issue, however often and in however many batches."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from heron.store.issues import add_issue_users
from heron.store.models import Issue, IssueUser
from tests.store.world import build_world


def _counts(session: Session) -> dict[int, tuple[int, int]]:
    """Per issue: its user count and its rows of distinct users."""
    rows = dict(session.execute(select(IssueUser.issue_id, func.count()).group_by(IssueUser.issue_id)).all())
    return {issue.id: (issue.user_count, rows.get(issue.id, 0)) for issue in session.scalars(select(Issue))}


def test_users_are_counted_once_per_issue_across_batches(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        first, second = world.issues["value_error"], world.issues["key_error"]
        before = _counts(session)
        # More pairs than one statement takes, then some of the same users again with a few new ones.
        add_issue_users(session, {(first, f"user:{n}") for n in range(1200)} | {(second, "user:1")})
        add_issue_users(
            session, {(first, f"user:{n}") for n in range(1190, 1210)} | {(second, "user:1"), (second, "user:2")}
        )
        session.commit()
        after = _counts(session)
    assert after[first] == (before[first][0] + 1210, before[first][1] + 1210)
    assert after[second] == (before[second][0] + 2, before[second][1] + 2)
    assert {issue: after[issue] for issue in after if issue not in (first, second)} == {
        issue: before[issue] for issue in before if issue not in (first, second)
    }

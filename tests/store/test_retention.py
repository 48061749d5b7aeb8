"""Retention: events older than their project's retention are deleted in batches, issues whose last event
expired go with their tag counts, and projects keep their own retention."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from heron.digest.transactions import prepare_transaction, store_transactions
from heron.store.accounts import create_organization
from heron.store.models import Event, Issue, IssueTagValue, PerfRollup, Project, Transaction
from heron.store.projects import create_project, digest_projects
from heron.store.retention import delete_expired
from heron.store.transactions import DAY, HOUR, MINUTE, WEEK
from tests.store.world import NOW, add_issue
from tests.web.site import add_event


def test_expired_events_and_issues_are_deleted_per_project(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        acme = create_organization(session, "acme")
        short, _ = create_project(session, acme.id, "short", retention_days=7)
        long, _ = create_project(session, acme.id, "long")  # 90 days
        old_issue = add_issue(session, short.id, "Old", last_seen=NOW - timedelta(days=8), tags={"env": ["prod"]})
        live_issue = add_issue(session, short.id, "Live", last_seen=NOW - timedelta(days=1))
        kept_issue = add_issue(session, long.id, "Kept", last_seen=NOW - timedelta(days=30))
        for days in (10, 9, 8):
            add_event(session, short.id, old_issue, NOW - timedelta(days=days))
        add_event(session, short.id, live_issue, NOW - timedelta(days=20))
        add_event(session, short.id, live_issue, NOW - timedelta(days=1))
        add_event(session, long.id, kept_issue, NOW - timedelta(days=30))
        ids = {"short": short.id, "long": long.id}

    result = delete_expired(sessions, NOW, batch=2)  # batches smaller than the work: several rounds

    assert (result.events, result.issues, result.transactions) == (4, 1, 0)
    with sessions() as session:
        remaining = dict(session.execute(select(Event.project_id, func.count()).group_by(Event.project_id)).all())
        assert remaining == {ids["short"]: 1, ids["long"]: 1}
        assert set(session.scalars(select(Issue.title))) == {"Live", "Kept"}
        assert (
            session.scalar(select(func.count()).select_from(IssueTagValue).where(IssueTagValue.issue_id == old_issue))
            == 0
        )
        assert session.get_one(Project, ids["long"]).retention_days == 90
    assert delete_expired(sessions, NOW).events == 0


def test_transactions_and_their_rollups_expire(sessions: sessionmaker[Session]) -> None:
    now = datetime.now(UTC)
    with sessions() as session, session.begin():
        acme = create_organization(session, "acme")
        project, _ = create_project(session, acme.id, "shop", retention_days=7)
        prepared = [
            prepare_transaction(
                project.id,
                uuid.uuid4().hex,
                {"transaction": "GET /", "start_timestamp": start, "timestamp": start + 0.1},
                now.timestamp(),
                None,
            )
            for start in ((now - timedelta(days=days)).timestamp() for days in (10, 3, 0.01))
        ]
        store_transactions(session, prepared, digest_projects(session, {project.id}))
    result = delete_expired(sessions, now)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Transaction)) == 2
        rollups = list(session.scalars(select(PerfRollup)))
    kept = [(r.resolution, r.count) for r in rollups if r.resolution != WEEK]
    weeks = [r for r in rollups if r.resolution == WEEK]
    assert result.transactions == 1 and result.rollups > 0
    # the 3-day-old one lost its minute rollup (kept 2 days), the 10-day-old one everything finer than a week
    assert sorted(kept) == [(MINUTE, 1), (HOUR, 1), (HOUR, 1), (DAY, 1), (DAY, 1)]
    # a week goes once all of it is older than the retention: one straddling the cutoff still counts
    cutoff = now - timedelta(days=7)
    assert weeks and all(week.bucket + timedelta(weeks=1) > cutoff for week in weeks)
    old = (now - timedelta(days=10)).timestamp()
    old_week_kept = old - old % WEEK + WEEK > cutoff.timestamp()
    assert sum(week.count for week in weeks) == 2 + old_week_kept

"""Event counts per hour and per day, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from heron.store.frequency import DAY, issue_event_series, project_event_series
from heron.store.outcomes import add_outcomes
from tests.store.world import NOW, add_issue, build_world
from tests.web.site import add_event


def test_issue_events_are_counted_per_hour_up_to_the_current_one(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        world = build_world(session)
        project = world.projects["app"]
        issue = add_issue(session, project, "counted")
        quiet = add_issue(session, project, "quiet")
        for minutes_ago in (0, 5, 59, 61, 23 * 60 - 30, 23 * 60 + 30, 25 * 60):
            add_event(session, project, issue, NOW - timedelta(minutes=minutes_ago))
        series = issue_event_series(session, [issue, quiet], NOW + timedelta(minutes=30))
    counts = series[issue].counts
    assert len(counts) == 24
    # NOW is 12:00; the last bucket is 12:00-13:00, the first 13:00-14:00 yesterday.
    assert counts[-1] == 1 and counts[-2] == 2 and counts[-3] == 1
    assert counts[0] == 1  # 13:30 yesterday; 12:30 yesterday is before the window
    assert series[issue].total == 5
    assert series[quiet].total == 0 and series[issue].start == NOW - timedelta(hours=23)


def test_issue_events_are_counted_per_day(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        world = build_world(session)
        issue = add_issue(session, world.projects["app"], "counted")
        for days_ago in (0, 0, 1, 29, 30):
            add_event(session, world.projects["app"], issue, NOW - timedelta(days=days_ago))
        series = issue_event_series(session, [issue], NOW, buckets=30, step=DAY)[issue]
    assert series.counts[-1] == 2 and series.counts[-2] == 1 and series.counts[0] == 1
    assert series.total == 4


def test_project_events_come_from_the_accepted_error_outcomes(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        world = build_world(session)
        app, api = world.projects["app"], world.projects["api"]
        add_outcomes(
            session,
            Counter(
                {
                    (app, NOW, "error", "accepted", ""): 3,
                    (app, NOW + timedelta(minutes=1), "error", "accepted", ""): 4,
                    (app, NOW - timedelta(hours=2), "error", "accepted", ""): 2,
                    (app, NOW, "transaction", "accepted", ""): 100,
                    (app, NOW, "error", "invalid", "x"): 100,
                    (app, NOW - timedelta(days=2), "error", "accepted", ""): 100,
                }
            ),
        )
        series = project_event_series(session, [app, api], NOW + timedelta(minutes=5))
    assert series[app].counts[-1] == 7 and series[app].counts[-3] == 2 and series[app].total == 9
    assert series[api].total == 0

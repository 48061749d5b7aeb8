"""The reads of the dashboard's pages, rewritten for speed (bench/pages.py), at their edges, on SQLite and PostgreSQL:
chart buckets counted by range, an issue's top tag values read per key, event neighbours bounded by time, user
searches read from the users' index, and the PostgreSQL statistics of migration 0005."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from heron.search import parse_query
from heron.store.bodies import compress_json
from heron.store.events import insert_events, neighbour_event_ids, project_event
from heron.store.frequency import DAY, issue_event_series
from heron.store.issue_pages import issue_page
from heron.store.issues import add_issue_users
from heron.store.search import IssueSearch
from heron.store.tags import add_issue_tag_values, issue_tag_summaries
from tests.store.world import NOW, add_issue, build_world
from tests.web.site import add_event


def test_an_event_at_a_bucket_start_counts_in_that_bucket_and_none_after_the_last_bucket(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        world = build_world(session)
        project = world.projects["app"]
        busy, quiet, other = (add_issue(session, project, title) for title in ("busy", "quiet", "other"))
        # NOW is 12:00 sharp: the start of the last hourly bucket, and of the last daily one at midnight.
        for moment in (
            NOW,
            NOW,
            NOW - timedelta(microseconds=1),
            NOW + timedelta(minutes=59),
            NOW + timedelta(hours=1),
        ):
            add_event(session, project, busy, moment)
        add_event(session, project, other, NOW - timedelta(hours=23))
        add_event(session, project, other, NOW - timedelta(hours=23, microseconds=1))
        hourly = issue_event_series(session, [busy, quiet, other, busy], NOW)
        midnight = NOW.replace(hour=0)
        add_event(session, project, quiet, midnight)
        add_event(session, project, quiet, midnight - timedelta(microseconds=1))
        daily = issue_event_series(session, [quiet], NOW, buckets=2, step=DAY)[quiet]
    assert sorted(hourly) == sorted({busy, quiet, other})
    assert hourly[busy].counts[-1] == 3 and hourly[busy].counts[-2] == 1 and hourly[busy].total == 4
    assert hourly[quiet].total == 0
    assert hourly[other].counts[0] == 1 and hourly[other].total == 1  # the earlier one is before the window
    assert daily.counts == (1, 1) and daily.start == midnight - DAY


def test_top_tag_values_are_ranked_per_key_by_count_then_by_value(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        issue = add_issue(session, world.projects["app"], "E")
        counts = {"url": {f"/orders/{n}": 1 for n in range(200)} | {"/cart": 7, "/pay": 3}, "level": {"error": 210}}
        counts["browser"] = {"Safari": 2, "Chrome": 2, "Edge": 2, "Firefox": 1}
        rows = [(issue, key, value, n, NOW, NOW) for key, values in counts.items() for value, n in values.items()]
        add_issue_tag_values(session, rows)
        summaries = {s.key: s for s in issue_tag_summaries(session, issue, top=3)}
        only_url = issue_tag_summaries(session, issue, keys=["url"], top=4)
    assert list(summaries) == ["browser", "level", "url"]
    assert [(v.value, v.times_seen) for v in summaries["url"].top_values] == [
        ("/cart", 7),
        ("/pay", 3),
        ("/orders/0", 1),
    ]
    assert (summaries["url"].total, summaries["url"].unique_values) == (210, 202)
    assert [v.value for v in summaries["browser"].top_values] == ["Chrome", "Edge", "Safari"]
    assert [v.value for v in summaries["level"].top_values] == ["error"]
    assert [s.key for s in only_url] == ["url"] and [v.value for v in only_url[0].top_values][-1] == "/orders/1"


def test_neighbours_of_events_with_the_same_timestamp_follow_the_stored_order(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        app, issue = world.projects["app"], world.issues["value_error"]
        moments = [NOW - timedelta(seconds=1), NOW, NOW, NOW, NOW + timedelta(seconds=1)]
        ids = [uuid.uuid4().hex for _ in moments]
        insert_events(
            session,
            [
                {
                    "project_id": app,
                    "issue_id": issue,
                    "event_id": event_id,
                    "timestamp": moment,
                    "received": moment,
                    "level": "error",
                    "title": "E",
                    "body": compress_json({"event_id": event_id}),
                }
                for event_id, moment in zip(ids, moments, strict=True)
            ],
        )
        neighbours = []
        for event_id in ids:
            event = project_event(session, app, event_id)
            assert event is not None
            neighbours.append(neighbour_event_ids(session, event, same_issue=True))
    assert neighbours == [(None, ids[1]), (ids[0], ids[2]), (ids[1], ids[3]), (ids[2], ids[4]), (ids[3], None)]


def test_a_user_search_finds_the_issues_the_user_was_seen_in_within_the_searched_projects(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        world = build_world(session)
        app, api = world.projects["app"], world.projects["api"]
        add_issue_users(session, {(world.issues["timeout"], "email:jane@example.com")})
        add_issue_users(session, {(world.issues["api_error"], "email:jane@example.com")})

        def found(query: str, projects: list[int]) -> set[int]:
            search = IssueSearch(projects, parse_query(query, NOW))
            return {issue.id for issue in issue_page(session, search, None, 25).issues}

        jane = found("user.email:jane@example.com", [app])
        not_jane = found("!user.email:jane@example.com", [app])
        both_projects = found("user.email:jane@example.com is:ignored", [app, api])
    assert jane == {world.issues["value_error"], world.issues["timeout"]}
    assert not_jane == {world.issues["key_error"]}  # an issue nobody was seen in is not jane's either
    assert both_projects == {world.issues["timeout"]}


def test_postgresql_knows_which_tag_values_go_with_which_keys(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("statistics objects are PostgreSQL's")
    with engine.connect() as connection:
        columns = connection.execute(
            text(
                "SELECT stxkind, array_agg(attname ORDER BY attname) FROM pg_statistic_ext "
                "JOIN pg_attribute ON attrelid = stxrelid AND attnum = ANY(stxkeys) "
                "WHERE stxname = 'issue_tag_values_key_value' GROUP BY stxkind"
            )
        ).one()
    assert sorted(columns[0]) == ["f", "m"] and columns[1] == ["key", "value"]

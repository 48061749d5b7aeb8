"""Issue search through SQL on SQLite and PostgreSQL: every kind of term, order, window and paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from heron.search import parse_query
from heron.store.search import IssueSearch, search_issues
from tests.store.world import NOW, World, build_world

APP_ISSUES = {"value_error", "key_error", "timeout"}


def _found(session: Session, world: World, query: str, **options: object) -> list[str]:
    by_id = {issue_id: name for name, issue_id in world.issues.items()}
    search = IssueSearch(
        project_ids=options.pop("project_ids", [world.projects["app"]]),  # type: ignore[arg-type]
        query=parse_query(query, NOW),
        viewer_id=world.users["jane"],
        **options,  # type: ignore[arg-type]
    )
    return [by_id[issue.id] for issue in search_issues(session, search, offset=0, limit=100)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", APP_ISSUES),
        ("is:unresolved", {"value_error"}),
        ("is:resolved", {"key_error"}),
        ("is:ignored", {"timeout"}),
        ("is:unresolved is:ignored", {"value_error", "timeout"}),
        ("!is:resolved", {"value_error", "timeout"}),
        ("is:assigned", {"key_error", "timeout"}),
        ("is:unassigned", {"value_error"}),
        ("assigned:me", {"key_error"}),
        ("!assigned:me", {"value_error", "timeout"}),
        ("assigned:bob@acme.example", {"timeout"}),
        ("assigned:BOB@acme.example", {"timeout"}),
        ("assigned:none", {"value_error"}),
        ("assigned:nobody@nowhere.example", set()),
        ("environment:production", {"value_error", "timeout"}),
        ("!environment:production", {"key_error"}),
        ("environment:[staging, nowhere]", {"key_error", "timeout"}),
        ("release:1.1", {"key_error"}),
        ('browser:"Chrome 120"', {"value_error"}),
        ("browser:Chrome*", {"value_error"}),
        ("server_name:web-*", {"timeout"}),
        ("has:server_name", {"timeout"}),
        ("!has:release", {"timeout"}),
        ("user.email:jane@example.com", {"value_error"}),
        ("user.id:1", {"value_error"}),
        ("user.username:bob", {"timeout"}),
        ("!user.id:1", {"key_error", "timeout"}),
        ("firstSeen:-24h", {"timeout"}),
        ("firstSeen:+24h", {"value_error", "key_error"}),
        ("lastSeen:-7d", {"value_error", "timeout"}),
        ("firstSeen:2024-04-30", {"key_error"}),
        ("times_seen:>100", {"value_error"}),
        ("times_seen:<=20", {"key_error", "timeout"}),
        ("times_seen:5", {"key_error"}),
        ('"bad value"', {"value_error"}),
        ("checkout", {"value_error"}),
        ("PROFILE", {"key_error"}),
        ('"100%"', {"timeout"}),
        ('"user_id"', {"key_error"}),
        ("user*id", {"key_error"}),
        ("!message:Timeout", {"value_error", "key_error"}),
        ("is:unresolved environment:production times_seen:>10 bad", {"value_error"}),
    ],
)
def test_search_terms_select_issues(sessions: sessionmaker[Session], query: str, expected: set[str]) -> None:
    with sessions() as session:
        world = build_world(session)
        assert set(_found(session, world, query)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["timeout", "value_error", "key_error"]),
        ("new", ["timeout", "value_error", "key_error"]),
        ("freq", ["value_error", "timeout", "key_error"]),
    ],
)
def test_sorts(sessions: sessionmaker[Session], sort: str, expected: list[str]) -> None:
    with sessions() as session:
        world = build_world(session)
        assert _found(session, world, "", sort=sort) == expected


def test_stats_period_limits_last_seen(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        found = _found(session, world, "", last_seen_after=NOW - timedelta(hours=2))
        assert set(found) == {"value_error", "timeout"}


def test_search_only_looks_in_the_given_projects(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        acme = [world.projects["app"], world.projects["api"]]
        assert set(_found(session, world, '"bad value"', project_ids=acme)) == {"value_error"}
        assert _found(session, world, "", project_ids=[]) == []


def test_pages_do_not_overlap(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        search = IssueSearch([world.projects["app"]], parse_query("", NOW), sort="freq")
        pages = [search_issues(session, search, offset=offset, limit=2) for offset in (0, 2, 4)]
        assert [len(page) for page in pages] == [2, 1, 0]
        assert len({issue.id for page in pages for issue in page}) == 3

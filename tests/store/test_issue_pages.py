"""Keyset pages of the issue search, on SQLite and PostgreSQL: every issue once, in order, both directions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from heron.search import IssueQuery
from heron.store.issue_pages import IssueCursor, issue_page
from heron.store.projects import create_project
from heron.store.search import SORTS, IssueSearch
from tests.store.world import NOW, add_issue, build_world


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_pages_cover_every_issue_once_in_order_and_step_back(sessions: sessionmaker[Session], sort: str) -> None:
    with sessions() as session, session.begin():
        world = build_world(session)
        project = create_project(session, world.organizations["acme"], "paged")[0].id
        for number in range(23):
            # Every value repeats three times, so ties are broken by id.
            when = NOW - timedelta(minutes=number // 3)
            add_issue(session, project, f"issue {number}", first_seen=when, last_seen=when, times_seen=number // 3)
        search = IssueSearch([project], IssueQuery(()), sort=sort)
        pages = []
        cursor: IssueCursor | None = None
        while True:
            page = issue_page(session, search, cursor, 5)
            pages.append(page)
            if page.next is None:
                break
            cursor = page.next
        ids = [issue.id for page in pages for issue in page.issues]
        everything = issue_page(session, search, None, 100).issues
        assert ids == [issue.id for issue in everything]
        assert len(ids) == 23 and [len(page.issues) for page in pages] == [5, 5, 5, 5, 3]
        assert pages[0].previous is None
        third = pages[2]
        assert third.previous is not None
        back = issue_page(session, search, third.previous, 5)
        assert [issue.id for issue in back.issues] == [issue.id for issue in pages[1].issues]
        first = issue_page(session, search, pages[1].previous, 5)
        assert first.previous is None and [i.id for i in first.issues] == [i.id for i in pages[0].issues]

"""Tag summaries of an issue: totals and top values per key in two queries, values paged and sorted."""

from __future__ import annotations

from datetime import timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from heron.store.tags import add_issue_tag_values, issue_tag_summaries, issue_tag_values, unhandled_issue_ids
from tests.store.world import NOW, add_issue, build_world


def _count(session: Session, issue_id: int, key: str, value: str, times: int, days_ago: int) -> None:
    seen = NOW - timedelta(days=days_ago)
    add_issue_tag_values(session, [(issue_id, key, value, times, seen, seen)])


def test_summaries_total_each_key_and_rank_its_values(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        issue_id = add_issue(session, world.projects["app"], "E")
        for index, browser in enumerate(["Chrome", "Firefox", "Safari", "Edge"]):
            _count(session, issue_id, "browser", browser, times=10 - index, days_ago=index)
        _count(session, issue_id, "level", "error", times=34, days_ago=0)
        summaries = issue_tag_summaries(session, issue_id, top=2)
        assert [(s.key, s.total, s.unique_values) for s in summaries] == [("browser", 34, 4), ("level", 34, 1)]
        assert [v.value for v in summaries[0].top_values] == ["Chrome", "Firefox"]
        assert [s.key for s in issue_tag_summaries(session, issue_id, keys=["level"])] == ["level"]
        assert issue_tag_summaries(session, issue_id, keys=["nothing"]) == []


def test_values_are_sorted_and_paged(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        issue_id = add_issue(session, world.projects["app"], "E")
        for index, url in enumerate(["/a", "/b", "/c"]):
            _count(session, issue_id, "url", url, times=index + 1, days_ago=index)
        assert [v.value for v in issue_tag_values(session, issue_id, "url")] == ["/a", "/b", "/c"]
        assert [v.value for v in issue_tag_values(session, issue_id, "url", sort="count")] == ["/c", "/b", "/a"]
        assert [v.value for v in issue_tag_values(session, issue_id, "url", offset=1, limit=1)] == ["/b"]


def test_unhandled_issues_are_those_with_a_handled_no_event(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        assert unhandled_issue_ids(session, world.issues.values()) == {world.issues["value_error"]}


def test_counting_again_adds_up_and_keeps_the_first_and_the_latest_sighting(sessions: sessionmaker[Session]) -> None:
    # add_issue_tag_values binds through the driver: what it writes must read back as the ORM writes it.
    with sessions() as session:
        world = build_world(session)
        issue_id = add_issue(session, world.projects["app"], "E")
        _count(session, issue_id, "browser", "Chrome", times=2, days_ago=3)
        _count(session, issue_id, "browser", "Chrome", times=5, days_ago=1)
        _count(session, issue_id, "browser", "Chrome", times=1, days_ago=2)  # older events, digested late
        _count(session, issue_id, "browser", "Chrome", times=1, days_ago=4)
        [value] = issue_tag_values(session, issue_id, "browser")
        assert (value.times_seen, value.first_seen, value.last_seen) == (
            9,
            NOW - timedelta(days=4),
            NOW - timedelta(days=1),
        )
        assert value.last_seen.tzinfo is not None


def test_rows_of_one_statement_sharing_times_read_back_each_its_own(sessions: sessionmaker[Session]) -> None:
    # The driver's datetime binding remembers the texts it made within a statement; an instant given in another
    # zone is the same instant.
    with sessions() as session:
        world = build_world(session)
        issue_id = add_issue(session, world.projects["app"], "E")
        earlier, later = NOW - timedelta(days=2), NOW - timedelta(hours=1)
        elsewhere = later.astimezone(timezone(timedelta(hours=5, minutes=30)))
        rows = [
            (issue_id, "url", f"/{n}", 1, first, last)
            for n, (first, last) in enumerate(
                [(earlier, later), (later, later), (earlier, elsewhere), (earlier, earlier)]
            )
        ]
        add_issue_tag_values(session, rows)
        seen = {v.value: (v.first_seen, v.last_seen) for v in issue_tag_values(session, issue_id, "url")}
        assert seen == {"/0": (earlier, later), "/1": (later, later), "/2": (earlier, later), "/3": (earlier, earlier)}

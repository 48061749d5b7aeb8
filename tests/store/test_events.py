"""Event reads: pages of an issue's or project's events and an event's neighbours in time."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from heron.store.bodies import compress_json
from heron.store.events import insert_events, issue_events, neighbour_event_ids, project_event, project_events
from tests.store.world import NOW, build_world


def _events(session: Session, project_id: int, issue_id: int, count: int, start: int = 0) -> list[str]:
    ids = [uuid.uuid4().hex for _ in range(count)]
    rows = [
        {
            "project_id": project_id,
            "issue_id": issue_id,
            "event_id": event_id,
            "timestamp": NOW + timedelta(minutes=start + index),
            "received": NOW + timedelta(minutes=start + index),
            "level": "error",
            "title": "E",
            "body": compress_json({"event_id": event_id}),
        }
        for index, event_id in enumerate(ids)
    ]
    insert_events(session, rows)
    return ids


def test_issue_events_come_newest_first_and_neighbours_stay_in_the_issue(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        world = build_world(session)
        app = world.projects["app"]
        first_issue = _events(session, app, world.issues["value_error"], 3)
        other_issue = _events(session, app, world.issues["key_error"], 1, start=10)
        newest = issue_events(session, world.issues["value_error"], offset=0, limit=10)
        assert [e.event_id for e in newest] == first_issue[::-1]
        oldest = issue_events(session, world.issues["value_error"], offset=0, limit=1, newest_first=False)
        assert oldest[0].event_id == first_issue[0]
        middle = project_event(session, app, first_issue[1])
        assert middle is not None
        assert neighbour_event_ids(session, middle, same_issue=True) == (first_issue[0], first_issue[2])
        last = project_event(session, app, first_issue[2])
        assert last is not None
        assert neighbour_event_ids(session, last, same_issue=True) == (first_issue[1], None)
        assert neighbour_event_ids(session, last, same_issue=False) == (first_issue[1], other_issue[0])
        assert [e.event_id for e in project_events(session, app, offset=1, limit=2)] == first_issue[:0:-1]
        assert project_event(session, world.projects["web"], first_issue[0]) is None

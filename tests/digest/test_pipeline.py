"""The digest stage on SQLite and PostgreSQL: spooled envelopes become issues, events and counters."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from heron.config import load_settings
from heron.digest.worker import DigestWorker
from heron.protocol.envelope import Envelope, Item, serialize_envelope
from heron.queue import QueuedEnvelope
from heron.queue.sqlite import SqliteQueue
from heron.store.accounts import create_organization
from heron.store.activity import issue_activity
from heron.store.bodies import decompress_json
from heron.store.engine import transaction
from heron.store.models import (
    RESOLVED,
    SUB_REGRESSED,
    UNRESOLVED,
    Attachment,
    Event,
    Issue,
    IssueTagValue,
    Outcome,
    Release,
    Transaction,
)
from heron.store.projects import create_project


def error_event(function: str = "checkout", value: str = "division by zero", **extra: Any) -> dict[str, Any]:
    """A Python SDK style error event raised in `function`."""
    return {
        "platform": "python",
        "level": "error",
        "timestamp": time.time(),
        "exception": {
            "values": [
                {
                    "type": "ZeroDivisionError",
                    "value": value,
                    "mechanism": {"type": "generic", "handled": True},
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "shop/views.py",
                                "module": "shop.views",
                                "function": function,
                                "lineno": 10,
                                "context_line": "    return total / count",
                                "in_app": True,
                            }
                        ]
                    },
                }
            ]
        },
        **extra,
    }


def envelope(event: dict[str, Any], item_type: str = "event", extra_items: list[Item] | None = None) -> bytes:
    event_id = event.setdefault("event_id", uuid.uuid4().hex)
    items = [Item({"type": item_type}, orjson.dumps(event)), *(extra_items or [])]
    return serialize_envelope(Envelope({"event_id": event_id}, items))


class Digest:
    """A queue in a temp dir and a worker on the database under test."""

    def __init__(self, tmp_path: Path, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.queue = SqliteQueue(str(tmp_path / "queue.sqlite3"))
        settings = load_settings(data_dir=tmp_path, database_url=str(engine.url.render_as_string(hide_password=False)))
        self.worker = DigestWorker(settings, self.queue, sessions)
        self.sessions = sessions
        with transaction(sessions) as session:
            organization = create_organization(session, f"org-{uuid.uuid4().hex[:6]}")
            project, _ = create_project(session, organization.id, "app")
            self.project_id = project.id

    def send(self, *bodies: bytes) -> None:
        """Spool the envelopes and digest them."""
        self.spool(*bodies)
        self.worker.drain()

    def spool(self, *bodies: bytes) -> None:
        """Put the envelopes in the queue, as ingest does."""

        async def put_all() -> None:
            await asyncio.gather(
                *(self.queue.put(QueuedEnvelope(self.project_id, time.time(), body)) for body in bodies)
            )

        asyncio.run(put_all())

    def issues(self) -> list[Issue]:
        with self.sessions() as session:
            return list(session.scalars(select(Issue).order_by(Issue.id)))

    def count(self, model: Any) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_events_from_one_line_become_one_issue_counted_per_event(digest: Digest) -> None:
    digest.send(*(envelope(error_event(value=f"value {i}")) for i in range(20)))
    [issue] = digest.issues()
    assert issue.times_seen == 20
    assert issue.title.startswith("ZeroDivisionError")
    assert issue.culprit == "shop.views in checkout"
    assert digest.count(Event) == 20


def test_an_issue_shows_what_its_newest_event_says(digest: Digest) -> None:
    # As Sentry's event manager: title, culprit, level and metadata follow the latest event, so an issue created
    # by either of two simultaneous first events ends up with the same title.
    now = time.time()
    digest.send(envelope(error_event(value="first", timestamp=now - 60)))
    digest.send(
        envelope(error_event(value="newest", level="fatal", culprit="POST /checkout", timestamp=now)),
        envelope(error_event(value="between", timestamp=now - 30)),
    )
    [issue] = digest.issues()
    assert issue.times_seen == 3
    assert (issue.title, issue.culprit, issue.level) == ("ZeroDivisionError: newest", "POST /checkout", "fatal")
    assert issue.metadata_["value"] == "newest"

    digest.send(envelope(error_event(value="late", level="warning", timestamp=now - 10)))  # older than the newest
    [issue] = digest.issues()
    assert (issue.times_seen, issue.title, issue.level) == (4, "ZeroDivisionError: newest", "fatal")


def test_events_from_two_functions_become_two_issues(digest: Digest) -> None:
    digest.send(envelope(error_event("checkout")), envelope(error_event("refund")))
    assert len(digest.issues()) == 2


def test_a_redelivered_envelope_is_stored_once(digest: Digest) -> None:
    body = envelope(error_event())
    digest.send(body)
    digest.send(body)
    [issue] = digest.issues()
    assert issue.times_seen == 1
    assert digest.count(Event) == 1


def test_a_new_event_on_a_resolved_issue_is_a_regression(digest: Digest) -> None:
    digest.send(envelope(error_event()))
    with transaction(digest.sessions) as session:
        issue = session.scalars(select(Issue)).one()
        issue.status = RESOLVED
    digest.send(envelope(error_event()))
    [issue] = digest.issues()
    assert (issue.status, issue.substatus, issue.times_seen) == (UNRESOLVED, SUB_REGRESSED, 2)
    with digest.sessions() as session:  # the history says when, with no author: the digest did it
        [entry] = issue_activity(session, issue.id)
        assert (entry.kind, entry.author, entry.date_created > issue.first_seen) == ("regressed", None, True)


def test_resolved_in_a_release_stays_resolved_for_that_release(digest: Digest) -> None:
    digest.send(envelope(error_event(release="shop@1.0")))
    with transaction(digest.sessions) as session:
        release_id = session.scalars(select(Release.id).where(Release.version == "shop@1.0")).one()
        issue = session.scalars(select(Issue)).one()
        issue.status, issue.status_details = RESOLVED, {"inRelease": "shop@1.0", "releaseId": release_id}
    digest.send(envelope(error_event(release="shop@1.0")))
    assert digest.issues()[0].status == RESOLVED
    digest.send(envelope(error_event(release="shop@1.1")))
    assert digest.issues()[0].status == UNRESOLVED


def test_tags_users_releases_and_bodies_are_stored(digest: Digest) -> None:
    digest.send(
        envelope(error_event(tags={"plan": "pro"}, user={"id": "u1"}, release="shop@2", environment="production")),
        envelope(error_event(tags={"plan": "free"}, user={"id": "u2"}, release="shop@2", environment="production")),
        envelope(error_event(tags={"plan": "free"}, user={"id": "u2"}, release="shop@2", environment="production")),
    )
    [issue] = digest.issues()
    assert issue.user_count == 2
    assert issue.first_release_id is not None
    with digest.sessions() as session:
        rows = session.execute(select(IssueTagValue.value, IssueTagValue.times_seen).where(IssueTagValue.key == "plan"))
        plans = {row.value: row.times_seen for row in rows}
        body = decompress_json(session.scalars(select(Event.body)).first() or b"")
    assert plans == {"pro": 1, "free": 2}
    assert body["environment"] == "production"
    assert ["plan", "pro"] in body["tags"] or ["plan", "free"] in body["tags"]


def test_transactions_attachments_and_client_reports_are_kept(digest: Digest) -> None:
    transaction_event = {"type": "transaction", "transaction": "GET /", "start_timestamp": time.time() - 1,
                         "timestamp": time.time()}  # fmt: skip
    attachment = Item({"type": "attachment", "filename": "log.txt", "length": 5}, b"hello")
    report = Item(
        {"type": "client_report"},
        orjson.dumps({"discarded_events": [{"reason": "sample_rate", "category": "error", "quantity": 3}]}),
    )
    digest.send(
        envelope(transaction_event, "transaction"),
        envelope(error_event(), extra_items=[attachment, report]),
        serialize_envelope(Envelope({}, [Item({"type": "session"}, b'{"sid":"x"}')])),
    )
    assert digest.count(Transaction) == 1
    with digest.sessions() as session:
        assert session.scalars(select(Attachment.filename)).all() == ["log.txt"]
        outcomes = {
            (row.category, row.outcome, row.reason): row.quantity
            for row in session.execute(select(Outcome.category, Outcome.outcome, Outcome.reason, Outcome.quantity))
        }
    assert outcomes[("error", "client_discard", "sample_rate")] == 3
    assert outcomes[("session", "received", "session")] == 1
    assert outcomes[("transaction", "accepted", "")] == 1
    assert outcomes[("error", "accepted", "")] == 1


def test_a_batch_the_database_refuses_is_digested_again_one_envelope_at_a_time(digest: Digest, engine: Engine) -> None:
    # The database refuses one event (a trigger), so the batch's transaction fails. The worker has freed the
    # batch's bodies by then: it reads them again from the queue, stores every other event, and leaves the
    # refused envelope in the queue for a later delivery.
    refused = uuid.uuid4().hex
    _refuse_event(engine, refused)
    digest.spool(
        *(envelope(error_event(value=f"value {i}")) for i in range(5)), envelope(error_event(event_id=refused))
    )
    assert digest.worker.run_once() == 6
    assert digest.count(Event) == 5
    assert digest.issues()[0].times_seen == 5
    assert digest.queue.depth() == 1


def _refuse_event(engine: Engine, event_id: str) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                f"CREATE TRIGGER refuse_event BEFORE INSERT ON events WHEN NEW.event_id = '{event_id}' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
            return
        connection.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION refuse_event() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.event_id = '{event_id}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; "
            "END $$ LANGUAGE plpgsql"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse_event BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_event()"
        )


def test_an_unreadable_event_payload_is_counted_invalid_and_the_rest_stored(digest: Digest) -> None:
    broken = serialize_envelope(Envelope({"event_id": uuid.uuid4().hex}, [Item({"type": "event"}, b"{not json")]))
    digest.send(broken, envelope(error_event()))
    assert digest.count(Event) == 1
    with digest.sessions() as session:
        reasons = session.scalars(select(Outcome.reason).where(Outcome.outcome == "invalid")).all()
    assert reasons == ["invalid_json"]

"""The digest: a batch of spooled envelopes becomes stored events, issues and counters in one transaction.

Read `digest_batch` top to bottom: unpack the envelopes, prepare each event (normalize, group, describe, compress)
outside any transaction, then store everything of the batch in one short transaction and report the signals it
raised. Several workers may digest at once: the CPU work runs in parallel, and the store step of one project is
serialized (SQLite's write lock; a per-project advisory lock on PostgreSQL), so issues are never created twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from heron.digest.dictionaries import EventCompression
from heron.digest.normalize import event_user_key, normalize_event
from heron.digest.states import IssueState, status_after_events
from heron.digest.tags import event_tags
from heron.digest.transactions import (
    PreparedTransaction,
    add_late_vitals,
    count_invalid,
    prepare_transaction,
    store_transactions,
)
from heron.digest.unpack import RawEvent, Unpacked, unpack_envelope
from heron.grouping import compute_hashes
from heron.grouping.metadata import IssueMetadata, issue_metadata
from heron.perf.transactions import TransactionError
from heron.queue import Claimed
from heron.store import events as event_store
from heron.store import issues as issue_store
from heron.store.activity import record_activity
from heron.store.engine import read_transaction, transaction
from heron.store.models import SUB_NEW, UNRESOLVED, Issue
from heron.store.outcomes import add_outcomes
from heron.store.projects import DigestProject, digest_projects, lock_project_for_digest
from heron.store.releases import ensure_environments, ensure_releases
from heron.store.tags import add_issue_tag_values
from heron.store.transactions import insert_profiles
from heron.store.types import utc_from_timestamp


@dataclass(slots=True)
class PreparedEvent:
    """An event ready to store: normalized, hashed and described."""

    project_id: int
    event_id: str
    event: dict[str, Any]  # the fields the store step reads (`STORED_FIELDS`); the whole event is `body`
    body: bytes  # the event as stored: compressed JSON
    hashes: list[str]
    grouping_config: str
    metadata: IssueMetadata
    timestamp: datetime
    received: datetime
    user_key: str | None
    issue_id: int = 0


@dataclass(frozen=True, slots=True)
class Signal:
    """Something alerting acts on after commit: "new_issue", "regression", "unignored" or "event"."""

    kind: str
    project_id: int
    issue_id: int
    event_id: str


@dataclass(slots=True)
class DigestResult:
    """What one batch did."""

    stored_events: int = 0
    stored_transactions: int = 0
    duplicates: int = 0
    signals: list[Signal] = field(default_factory=list)


def digest_batch(
    sessions: sessionmaker[Session],
    claimed: list[Claimed],
    compression: EventCompression,
    max_envelope_size: int,
    max_attachment_size: int,
) -> DigestResult:
    """Digest claimed envelopes; after it returns they may be acknowledged.

    Empties `claimed` as it reads it: each envelope's body is freed once unpacked rather than at the batch's end
    (a batch of 500 held ~6 MiB of them; the worker reads them again from the queue if the batch fails)."""
    with read_transaction(sessions) as session:
        projects = digest_projects(session, {message.envelope.project_id for message in claimed})
        compression.refresh(session, set(projects))
    unpacked = Unpacked()
    prepared: list[PreparedEvent] = []
    transactions: list[PreparedTransaction] = []
    claimed.reverse()
    while claimed:
        # One envelope at a time: its parsed payloads are freed once prepared, so that a batch never holds all
        # of them at once (they were most of a worker's peak memory: ~40 KiB per event).
        unpack_envelope(unpacked, claimed.pop(), max_envelope_size, max_attachment_size)
        prepared.extend(
            prepare_event(raw, projects[raw.project_id], compression)
            for raw in unpacked.events
            if raw.project_id in projects
        )
        transactions.extend(prepare_transactions(unpacked.transactions, unpacked.outcomes))
        unpacked.events.clear()
        unpacked.transactions.clear()
    dictionaries = compression.train()
    with transaction(sessions) as session:
        # Read again under the write lock: a project deleted meanwhile takes its events with it.
        projects = digest_projects(session, set(projects))
        for project_id in sorted(projects):  # every lock of the batch up front, in one order: no deadlocks
            lock_project_for_digest(session, project_id)
        result = store_events(session, [e for e in prepared if e.project_id in projects], projects, unpacked.outcomes)
        result.stored_transactions = store_transactions(session, transactions, projects)
        add_late_vitals(session, [late for late in unpacked.late_vitals if late[0] in projects])
        store_other_items(session, unpacked.profiles, unpacked.attachments, projects)
        add_outcomes(session, unpacked.outcomes)
        compression.save(session, [d for d in dictionaries if d.project_id in projects])
    return result


# What `store_events` reads of a prepared event besides its body. Only these outlive `prepare_event`: the whole
# event (and the payload it came from) is freed as soon as it is compressed, while it is still in the CPU's caches,
# instead of a whole batch of them at its end. With envelopes unpacked one at a time, a batch of 500 peaks at
# ~7 MiB of Python heap (tracemalloc; 20 MiB when every payload and event lived until the store step).
STORED_FIELDS = ("level", "environment", "release", "culprit", "transaction", "tags", "contexts")


def prepare_event(raw: RawEvent, project: DigestProject, compression: EventCompression) -> PreparedEvent:
    """Normalize, group and describe one event. Pure CPU: runs before the write transaction would need to."""
    event = normalize_event(
        raw.payload,
        event_id=raw.event_id,
        received=raw.received,
        client_ip=raw.client_ip,
        sent_at=raw.sent_at,
    )
    user_key = event_user_key(event)
    event["tags"] = event_tags(event, user_key)
    grouping = compute_hashes(event, project.grouping_config)
    metadata = issue_metadata(event)
    event["title"] = metadata.title
    event["culprit"] = metadata.culprit
    event["metadata"] = metadata.metadata
    event["grouping_config"] = {"id": grouping.config_id, "variant": grouping.variant}
    event["hashes"] = grouping.hashes
    return PreparedEvent(
        project_id=raw.project_id,
        event_id=raw.event_id,
        event={name: event[name] for name in STORED_FIELDS if name in event},
        body=compression.compress_event(raw.project_id, event),
        hashes=grouping.hashes,
        grouping_config=grouping.config_id,
        metadata=metadata,
        timestamp=utc_from_timestamp(event["timestamp"]),
        received=utc_from_timestamp(event["received"]),
        user_key=user_key,
    )


def store_events(
    session: Session,
    prepared: list[PreparedEvent],
    projects: dict[int, DigestProject],
    outcomes: Counter[Any],
) -> DigestResult:
    """Store a batch's events per project: skip duplicates, find or create issues, update counters."""
    result = DigestResult()
    by_project: dict[int, list[PreparedEvent]] = defaultdict(list)
    for event in prepared:
        by_project[event.project_id].append(event)
    for project_id, events in sorted(by_project.items()):
        lock_project_for_digest(session, project_id)
        fresh = _drop_duplicates(session, project_id, events)
        result.duplicates += len(events) - len(fresh)
        if not fresh:
            continue
        project = projects[project_id]
        release_ids = ensure_releases(
            session,
            project.organization_id,
            project_id,
            (e.event["release"] for e in fresh if "release" in e.event),
        )
        ensure_environments(session, project_id, (e.event["environment"] for e in fresh if "environment" in e.event))
        new_issues = _assign_issues(session, project_id, fresh, release_ids)
        result.signals.extend(_update_issues(session, fresh, new_issues, release_ids))
        _insert_events(session, fresh)
        _count_tags_and_users(session, fresh)
        for event in fresh:
            minute = event.received.replace(second=0, microsecond=0)
            outcomes[(project_id, minute, "error", "accepted", "")] += 1
        result.stored_events += len(fresh)
    return result


def _drop_duplicates(session: Session, project_id: int, events: list[PreparedEvent]) -> list[PreparedEvent]:
    stored = event_store.existing_event_ids(session, project_id, (e.event_id for e in events))
    fresh: list[PreparedEvent] = []
    for event in events:
        if event.event_id not in stored:
            stored.add(event.event_id)
            fresh.append(event)
    return fresh


def _assign_issues(
    session: Session, project_id: int, events: list[PreparedEvent], release_ids: dict[str, int]
) -> set[int]:
    """Set each event's issue: the one owning any of its hashes, else a new one. Returns the new issue ids."""
    owners = issue_store.issue_ids_by_hash(session, project_id, (h for e in events for h in e.hashes))
    new_issues: set[int] = set()
    unattached: dict[str, int] = {}
    for event in events:
        issue_id = next((owners[h] for h in event.hashes if h in owners), None)
        if issue_id is None:
            issue_id = issue_store.create_issue(session, project_id, _new_issue_values(event, release_ids))
            new_issues.add(issue_id)
        event.issue_id = issue_id
        for h in event.hashes:
            if h not in owners:
                owners[h] = unattached[h] = issue_id
    issue_store.attach_hashes(session, project_id, unattached)
    return new_issues


def _new_issue_values(event: PreparedEvent, release_ids: dict[str, int]) -> dict[str, Any]:
    release = event.event.get("release")
    return {
        **_shown_by(event),
        "status": UNRESOLVED,
        "substatus": SUB_NEW,
        "status_details": {},
        "first_seen": event.timestamp,
        "last_seen": event.timestamp,
        "first_release_id": release_ids.get(release) if release else None,
        "grouping_config": event.grouping_config,
    }


def _update_issues(
    session: Session, events: list[PreparedEvent], new_issues: set[int], release_ids: dict[str, int]
) -> list[Signal]:
    """Add the events to their issues' counters and apply status changes (regressions, ignores run out)."""
    per_issue: dict[int, list[PreparedEvent]] = defaultdict(list)
    for event in events:
        per_issue[event.issue_id].append(event)
    issues = issue_store.issues_by_id(session, per_issue, for_update=True)
    signals: list[Signal] = []
    updates: list[dict[str, Any]] = []
    for issue_id, issue_events in per_issue.items():
        issue = issues[issue_id]
        newest = max(issue_events, key=lambda e: e.timestamp)
        status, substatus, details = issue.status, issue.substatus, issue.status_details
        if issue_id in new_issues:
            signals.append(Signal("new_issue", issue.project_id, issue_id, issue_events[0].event_id))
        else:
            release = newest.event.get("release")
            state = IssueState(issue.status, issue.substatus, issue.status_details, issue.times_seen, issue.resolved_at)
            change = status_after_events(state, newest.received, len(issue_events), release_ids.get(release or ""))
            if change is not None:
                status, substatus, details = change.status, change.substatus, {}
                signals.append(Signal(change.signal, issue.project_id, issue_id, newest.event_id))
                kind = "regressed" if change.signal == "regression" else "unignored"
                record_activity(
                    session, [issue_id], None, kind, data={"event_id": newest.event_id}, now=newest.received
                )
        signals.extend(Signal("event", e.project_id, issue_id, e.event_id) for e in issue_events)
        updates.append(
            {
                "issue_id": issue_id,
                "count": len(issue_events),
                "first_seen": min(e.timestamp for e in issue_events),
                "last_seen": newest.timestamp,
                **_shown_values(issue, newest),
                "status": status,
                "substatus": substatus,
                "status_details": details,
            }
        )
    issue_store.apply_event_counts(session, updates)
    return signals


def _shown_values(issue: Issue, newest: PreparedEvent) -> dict[str, Any]:
    """What the issue shows: as in Sentry, what its latest event says (`_process_existing_aggregate` takes each
    new event's). Latest by the events' time, not by when they were digested: two workers may commit their
    batches in either order, and an event that arrives late does not take an issue back to an older title."""
    if newest.timestamp < issue.last_seen:
        return {
            "level": issue.level,
            "type": issue.type,
            "title": issue.title,
            "culprit": issue.culprit,
            "metadata_": issue.metadata_,
        }
    return _shown_by(newest)


def _shown_by(event: PreparedEvent) -> dict[str, Any]:
    """The issue columns an event sets: when it creates the issue, and whenever it is the issue's latest."""
    return {
        "level": event.event["level"],
        "type": event.metadata.type,
        "title": event.metadata.title[:1024],
        "culprit": (event.event.get("culprit") or "")[:200],
        "metadata_": event.metadata.metadata,
    }


def _insert_events(session: Session, events: list[PreparedEvent]) -> None:
    rows = []
    for e in events:
        trace = (e.event.get("contexts") or {}).get("trace") or {}
        trace_id = trace.get("trace_id")
        rows.append(
            {
                "project_id": e.project_id,
                "issue_id": e.issue_id,
                "event_id": e.event_id,
                "timestamp": e.timestamp,
                "received": e.received,
                "level": e.event["level"],
                "title": e.metadata.title[:1024],
                "environment": e.event.get("environment"),
                "release": e.event.get("release"),
                "transaction": e.event.get("transaction"),
                "user_key": e.user_key[:256] if e.user_key else None,
                "trace_id": trace_id[:32] if isinstance(trace_id, str) else None,
                "body": e.body,
            }
        )
    event_store.insert_events(session, rows)


def _count_tags_and_users(session: Session, events: list[PreparedEvent]) -> None:
    # (issue, key, value) -> [issue_id, key, value, times seen, first seen, last seen], as add_issue_tag_values takes
    counts: dict[tuple[int, str, str], list[Any]] = {}
    users: set[tuple[int, str]] = set()
    for e in events:
        issue_id, timestamp = e.issue_id, e.timestamp
        for key, value in e.event["tags"]:
            row = counts.get((issue_id, key, value))
            if row is None:
                counts[(issue_id, key, value)] = [issue_id, key, value, 1, timestamp, timestamp]
            else:
                row[3] += 1
                if timestamp < row[4]:
                    row[4] = timestamp
                elif timestamp > row[5]:
                    row[5] = timestamp
        if e.user_key:
            users.add((issue_id, e.user_key[:256]))
    add_issue_tag_values(session, list(counts.values()))
    issue_store.add_issue_users(session, users)


def prepare_transactions(raws: list[RawEvent], outcomes: Counter[Any]) -> list[PreparedTransaction]:
    """Read and compress the batch's transactions outside the write transaction; invalid ones are counted."""
    prepared = []
    for raw in raws:
        try:
            prepared.append(prepare_transaction(raw.project_id, raw.event_id, raw.payload, raw.received, raw.sent_at))
        except TransactionError as error:
            count_invalid(outcomes, raw.project_id, raw.received, error)
    return prepared


def store_other_items(
    session: Session,
    profiles: list[dict[str, Any]],
    attachments: list[dict[str, Any]],
    projects: dict[int, DigestProject],
) -> None:
    """Store what is neither an error event nor a transaction: profiles and attachments."""
    insert_profiles(session, [p for p in profiles if p["project_id"] in projects])
    event_store.insert_attachments(session, [a for a in attachments if a["project_id"] in projects])

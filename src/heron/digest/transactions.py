"""The digest of `transaction` items: each becomes a transaction row with its spans, adds itself to the per-minute,
hour and day rollups of its name and environment (counts and a latency sketch), adds its spans to the rollups of
their operations, and lists its slow spans. Reading and compressing happen before the write transaction; merging
into stored rollups happens in it, under the project's digest lock, so concurrent workers add up correctly.

A redelivered transaction (same project and event id) is skipped, so at-least-once delivery never counts twice.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from heron.perf.sketch import Sketch
from heron.perf.transactions import SpanRecord, TransactionError, TransactionRecord, read_transaction
from heron.store import transactions as store
from heron.store.bodies import compress_json
from heron.store.models import PerfRollup, SpanRollup
from heron.store.projects import DigestProject
from heron.store.releases import ensure_environments
from heron.store.types import utc_from_timestamp

log = logging.getLogger(__name__)

# Clock drift beyond this (the SDK's clock against ours, from the envelope's sent_at) is corrected.
MAX_DRIFT_SECONDS = 60.0
SLOW_KINDS = (("db", "db"), ("http", "http"))  # (span op prefix, slow-span kind)


@dataclass(slots=True)
class _Delta:
    """What a batch adds to one rollup row. (Not heron.perf.summaries.Summary: that one merges stored sketches with
    numpy, which the digest's workers do without.)"""

    count: int = 0
    failures: int = 0
    satisfied: int = 0
    tolerated: int = 0
    duration_sum: float = 0.0
    sketch: Sketch = field(default_factory=Sketch)

    def record(self, duration_ms: float) -> None:
        self.count += 1
        self.duration_sum += duration_ms
        self.sketch.add(duration_ms)


@dataclass(slots=True)
class PreparedTransaction:
    project_id: int
    event_id: str
    record: TransactionRecord
    start: float  # epoch seconds, corrected for clock drift
    spans_body: bytes
    received: float


def prepare_transaction(
    project_id: int, event_id: str, payload: dict[str, Any], received: float, sent_at: float | None
) -> PreparedTransaction:
    """Read and compress one transaction (no I/O). Raises TransactionError for one that cannot be kept."""
    record = read_transaction(payload)
    start = record.start
    if sent_at is not None and abs(received - sent_at) > MAX_DRIFT_SECONDS:
        start += received - sent_at
    start = min(start, received - record.duration_ms / 1000.0)  # never ends in the future
    spans = [
        {"span_id": span.span_id, "parent_span_id": span.parent_span_id, "op": span.op,
         "description": span.description, "start": span.start, "duration_ms": span.duration_ms,
         "status": span.status, "data": span.data}
        for span in record.spans
    ]  # fmt: skip
    return PreparedTransaction(project_id, event_id, record, start, compress_json({"spans": spans}), received)


def store_transactions(
    session: Session, prepared: list[PreparedTransaction], projects: dict[int, DigestProject]
) -> int:
    """Store the batch's transactions of existing projects; returns how many were new."""
    by_project: dict[int, dict[str, PreparedTransaction]] = defaultdict(dict)
    for item in prepared:
        if item.project_id in projects:
            by_project[item.project_id].setdefault(item.event_id, item)
    stored = 0
    for project_id, items in sorted(by_project.items()):
        for event_id in store.stored_event_ids(session, project_id, items):
            del items[event_id]
        if not items:
            continue
        fresh = list(items.values())
        ensure_environments(session, project_id, (item.record.environment for item in fresh))
        store.insert_transactions(session, [_row(item) for item in fresh])
        project = projects[project_id]
        slow = [(item, span, kind) for item in fresh for span, kind in _slow(item, project)]
        if slow:
            ids = store.transaction_ids(session, project_id, {item.event_id for item, _span, _kind in slow})
            store.insert_slow_spans(session, [_slow_row(item, span, kind, ids) for item, span, kind in slow])
        _add_to_rollups(session, PerfRollup, _transaction_deltas(fresh, project.apdex_ms))
        _add_to_rollups(session, SpanRollup, _span_deltas(fresh))
        stored += len(fresh)
    return stored


def add_late_vitals(session: Session, late: list[tuple[int, str, dict[str, float]]]) -> None:
    """Add web vitals streamed after their transaction (project id, its event id, vitals) to it, if it is stored;
    they replace earlier values of the same name (a final LCP replaces the one measured at the pageload's end)."""
    for project_id, event_id, vitals in late:
        store.add_measurements(session, project_id, event_id, vitals)


def _transaction_deltas(items: list[PreparedTransaction], apdex_ms: int) -> dict[tuple[Any, ...], _Delta]:
    deltas: dict[tuple[Any, ...], _Delta] = defaultdict(_Delta)
    for item in items:
        record = item.record
        for resolution in _kept_resolutions(item.start, item.received):
            delta = deltas[
                (item.project_id, resolution, record.name, record.environment, _bucket(item.start, resolution))
            ]
            delta.record(record.duration_ms)
            delta.failures += record.failed
            delta.satisfied += record.duration_ms <= apdex_ms
            delta.tolerated += apdex_ms < record.duration_ms <= 4 * apdex_ms
    return deltas


def _span_deltas(items: list[PreparedTransaction]) -> dict[tuple[Any, ...], _Delta]:
    deltas: dict[tuple[Any, ...], _Delta] = defaultdict(_Delta)
    for item in items:
        for span in item.record.spans:
            for resolution in _kept_resolutions(span.start, item.received):
                key = (item.project_id, resolution, item.record.name, span.op[:64], _bucket(span.start, resolution))
                deltas[key].record(span.duration_ms)
    return deltas


def _add_to_rollups(
    session: Session, model: type[PerfRollup] | type[SpanRollup], deltas: dict[tuple[Any, ...], _Delta]
) -> None:
    if not deltas:
        return
    keys = list(deltas)
    existing = store.rollups(session, model, keys)
    columns = store.rollup_key(model)
    new, changed = [], []
    for key, delta in deltas.items():
        values: dict[str, Any] = dict(zip(columns, key, strict=True))
        counts = _counts(model, delta)
        row = existing.get(key)
        if row is None:
            values.update(counts, sketch=delta.sketch.to_bytes())
            new.append(values)
            continue
        sketch = Sketch.from_bytes(row.sketch)
        sketch.merge(delta.sketch)
        values.update({name: getattr(row, name) + added for name, added in counts.items()}, sketch=sketch.to_bytes())
        changed.append(values)
    store.save_rollups(session, model, new, changed)


def _counts(model: type[PerfRollup] | type[SpanRollup], delta: _Delta) -> dict[str, Any]:
    counts: dict[str, Any] = {"count": delta.count, "duration_sum": delta.duration_sum}
    if model is PerfRollup:
        counts.update(failures=delta.failures, satisfied=delta.satisfied, tolerated=delta.tolerated)
    return counts


def _slow(item: PreparedTransaction, project: DigestProject) -> list[tuple[SpanRecord, str]]:
    """The transaction's spans over the project's thresholds, with their kind."""
    thresholds = {"db": project.slow_db_ms, "http": project.slow_http_ms}
    found = []
    for span in item.record.spans:
        kind = _slow_kind(span)
        if kind is not None and span.duration_ms > thresholds[kind]:
            found.append((span, kind))
    return found


def _slow_row(item: PreparedTransaction, span: SpanRecord, kind: str, ids: dict[str, int]) -> dict[str, Any]:
    return {
        "project_id": item.project_id,
        "transaction_id": ids[item.event_id],
        "kind": kind,
        "op": span.op[:64],
        "description": span.description,
        "start": utc_from_timestamp(span.start),
        "duration_ms": span.duration_ms,
    }


def _slow_kind(span: SpanRecord) -> str | None:
    for prefix, kind in SLOW_KINDS:
        if span.op == prefix or span.op.startswith(prefix + "."):
            return kind
    return None


def _row(item: PreparedTransaction) -> dict[str, Any]:
    record = item.record
    return {
        "project_id": item.project_id,
        "event_id": item.event_id,
        "name": record.name,
        "op": record.op[:64],
        "environment": record.environment,
        "release": record.release[:250] if record.release else None,
        "trace_id": record.trace_id,
        "span_id": record.span_id,
        "start": utc_from_timestamp(item.start),
        "duration_ms": record.duration_ms,
        "status": record.status[:32],
        "http_status": record.http_status,
        "user_key": record.user,
        "span_count": len(record.spans),
        "measurements": record.measurements,
        "spans": item.spans_body,
        "has_profile": False,
    }


def _kept_resolutions(moment: float, received: float) -> list[int]:
    """The rollup resolutions that keep a moment this old: a late transaction (sent days after it ran) is not added
    to minute or hour rollups that retention deletes at its next sweep (store.FINE_ROLLUP_DAYS)."""
    age_days = (received - moment) / 86400
    return [r for r in store.RESOLUTIONS if age_days < store.FINE_ROLLUP_DAYS.get(r, age_days + 1)]


def _bucket(moment: float, resolution: int) -> datetime:
    return utc_from_timestamp(moment - moment % resolution)


def count_invalid(outcomes: Counter[Any], project_id: int, received: float, error: TransactionError) -> None:
    """A transaction that could not be kept: counted invalid instead of accepted."""
    minute = utc_from_timestamp(received).replace(second=0, microsecond=0)
    outcomes[(project_id, minute, "transaction", "accepted", "")] -= 1
    outcomes[(project_id, minute, "transaction", "invalid", "invalid_transaction")] += 1
    log.info("dropping a transaction of project %d: %s", project_id, error)

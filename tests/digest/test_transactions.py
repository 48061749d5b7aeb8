"""The digest of transactions on SQLite and PostgreSQL: rows with spans, rollups whose sketches give percentiles
within 1% of the exact ones, span rollups, slow spans, profiles, and no double counting on redelivery."""

from __future__ import annotations

import math
import random
import time
import uuid
from typing import Any

import orjson
from sqlalchemy import select

from heron.perf.sketch import Sketch, merged
from heron.perf.span_streams import SPAN_CONTAINER
from heron.protocol.envelope import Envelope, Item, serialize_envelope
from heron.store.bodies import decompress_json
from heron.store.models import Outcome, PerfRollup, Profile, SlowSpan, SpanRollup, Transaction
from heron.store.transactions import DAY, HOUR, MINUTE
from tests.digest.test_pipeline import Digest, envelope

NOW = time.time()


def transaction(name: str, start: float, duration_ms: float, *, spans: list[dict[str, Any]] | None = None,
                status: str = "ok", environment: str = "production") -> dict[str, Any]:  # fmt: skip
    return {
        "type": "transaction",
        "transaction": name,
        "start_timestamp": start,
        "timestamp": start + duration_ms / 1000,
        "environment": environment,
        "contexts": {
            "trace": {
                "trace_id": uuid.uuid4().hex,
                "span_id": uuid.uuid4().hex[:16],
                "op": "http.server",
                "status": status,
            }
        },
        "spans": spans or [],
    }


def span(op: str, description: str, start: float, duration_ms: float) -> dict[str, Any]:
    return {"span_id": uuid.uuid4().hex[:16], "op": op, "description": description, "start_timestamp": start,
            "timestamp": start + duration_ms / 1000}  # fmt: skip


def exact(values: list[float], q: float) -> float:
    return sorted(values)[math.floor(q * (len(values) - 1))]


def test_rollup_percentiles_are_within_one_percent_of_the_exact_durations(digest: Digest) -> None:
    rng = random.Random(5)
    durations = [round(rng.lognormvariate(5, 1), 3) for _ in range(600)]
    start = (NOW - 3 * 3600) // 60 * 60  # on a minute boundary
    bodies = [envelope(transaction("GET /checkout", start + i * 15, d), "transaction") for i, d in enumerate(durations)]
    digest.send(*bodies)
    assert digest.count(Transaction) == 600
    with digest.sessions() as session:
        for resolution in (MINUTE, HOUR, DAY):
            rows = session.scalars(select(PerfRollup).where(PerfRollup.resolution == resolution)).all()
            assert sum(row.count for row in rows) == 600
            total = merged(Sketch.from_bytes(row.sketch) for row in rows)
            for q in (0.5, 0.75, 0.95, 0.99):
                estimate, truth = total.quantile(q), exact(durations, q)
                assert estimate is not None and abs(estimate - truth) <= 0.01 * truth, (resolution, q)
        minutes = session.scalars(select(PerfRollup).where(PerfRollup.resolution == MINUTE)).all()
        assert len(minutes) == 150  # four transactions a minute
        apdex = sum(r.satisfied for r in minutes), sum(r.tolerated for r in minutes)
    assert apdex == (sum(d <= 300 for d in durations), sum(300 < d <= 1200 for d in durations))


def test_a_redelivered_transaction_is_not_counted_twice(digest: Digest) -> None:
    body = envelope(transaction("GET /", NOW - 60, 120.0, status="internal_error"), "transaction")
    digest.send(body)
    digest.send(body)
    with digest.sessions() as session:
        rows = session.scalars(select(PerfRollup).where(PerfRollup.resolution == MINUTE)).all()
        assert [(row.count, row.failures) for row in rows] == [(1, 1)]
    assert digest.count(Transaction) == 1


def test_spans_are_kept_rolled_up_by_operation_and_slow_ones_listed(digest: Digest) -> None:
    start = NOW - 120
    spans = [
        span("db", "SELECT * FROM orders", start + 0.01, 1500.0),  # over 1 s: slow
        span("db.query", "SELECT 1", start + 1.6, 5.0),
        span("http.client", "GET https://slow.example/", start + 1.7, 2000.0),  # under 3 s
        span("http.client", "POST https://pay.example/charge", start + 3.8, 3500.0),  # slow
        span("template.render", "checkout.html", start + 7.4, 20.0),
    ]
    digest.send(envelope(transaction("POST /checkout", start, 7500.0, spans=spans), "transaction"))
    with digest.sessions() as session:
        stored = session.scalars(select(Transaction)).one()
        assert stored.span_count == 5 and stored.status == "ok"
        kept = decompress_json(stored.spans)["spans"]
        assert kept[0]["description"] == "SELECT * FROM orders"
        by_op = {
            row.op: (row.count, round(row.duration_sum))
            for row in session.scalars(select(SpanRollup).where(SpanRollup.resolution == HOUR))
        }
        slow = session.execute(select(SlowSpan.kind, SlowSpan.description).order_by(SlowSpan.start)).all()
    assert by_op == {"db": (1, 1500), "db.query": (1, 5), "http.client": (2, 5500), "template.render": (1, 20)}
    assert [tuple(row) for row in slow] == [("db", "SELECT * FROM orders"), ("http", "POST https://pay.example/charge")]


def test_invalid_transactions_are_counted_and_profiles_kept_with_their_transaction(digest: Digest) -> None:
    good = transaction("task.sync", NOW - 30, 50.0)
    event_id = uuid.uuid4().hex
    good["event_id"] = event_id
    profile = {"event_id": uuid.uuid4().hex, "platform": "python", "version": "1",
               "transaction": {"id": event_id, "name": "task.sync"}, "profile": {"samples": []}}  # fmt: skip
    with_profile = serialize_envelope(
        Envelope(
            {"event_id": event_id},
            [Item({"type": "transaction"}, orjson.dumps(good)), Item({"type": "profile"}, orjson.dumps(profile))],
        )
    )
    nameless = {"type": "transaction", "start_timestamp": NOW - 2, "timestamp": NOW - 1}
    digest.send(with_profile, envelope(nameless, "transaction"))
    with digest.sessions() as session:
        assert session.scalars(select(Transaction.has_profile)).all() == [True]
        assert session.scalars(select(Profile.transaction_event_id)).all() == [event_id]
        outcomes = {
            (row.category, row.outcome, row.reason): row.quantity
            for row in session.execute(select(Outcome.category, Outcome.outcome, Outcome.reason, Outcome.quantity))
        }
    assert outcomes[("transaction", "accepted", "")] == 1
    assert outcomes[("transaction", "invalid", "invalid_transaction")] == 1
    assert outcomes[("profile", "accepted", "")] == 1


def test_streamed_spans_are_digested_as_transactions_and_counted(digest: Digest) -> None:
    def attributes(**values: Any) -> dict[str, Any]:
        return {key: {"value": value, "type": "string"} for key, value in values.items()}

    segment_id, trace_id = "8dbb3e2c92f2cf1e", uuid.uuid4().hex
    container = {
        "version": 2,
        "items": [
            {"name": "Pageload", "span_id": segment_id, "trace_id": trace_id, "is_segment": True, "status": "ok",
             "start_timestamp": NOW - 3, "end_timestamp": NOW - 2,
             "attributes": attributes(**{"sentry.op": "pageload", "sentry.segment.name.source": "url",
                                         "url.path": "/checkout"})},
            {"name": "GET /api/cart", "span_id": "b575f346d9fa2254", "trace_id": trace_id, "is_segment": False,
             "parent_span_id": segment_id, "status": "ok", "start_timestamp": NOW - 2.9, "end_timestamp": NOW - 2.8,
             "attributes": attributes(**{"sentry.op": "http.client", "sentry.segment.id": segment_id})},
            {"name": "late", "span_id": "c575f346d9fa2254", "trace_id": trace_id, "is_segment": False,
             "start_timestamp": NOW - 9, "end_timestamp": NOW - 8,
             "attributes": attributes(**{"sentry.op": "ui", "sentry.segment.id": "0" * 16})},
        ],
    }  # fmt: skip
    item = Item({"type": "span", "item_count": 3, "content_type": SPAN_CONTAINER}, orjson.dumps(container))
    body = serialize_envelope(Envelope({"sent_at": "2026-11-29T10:46:34.780Z"}, [item]))
    digest.send(body, body)  # sent twice: stored once
    with digest.sessions() as session:
        [(name, op, span_count)] = session.execute(select(Transaction.name, Transaction.op, Transaction.span_count))
        outcomes = {
            (row.category, row.outcome, row.reason): row.quantity
            for row in session.execute(select(Outcome.category, Outcome.outcome, Outcome.reason, Outcome.quantity))
        }
    assert (name, op, span_count) == ("/checkout", "pageload", 1)
    assert outcomes[("span", "accepted", "")] == 4  # each send is counted as accepted: a segment and its span
    assert outcomes[("span", "received", "span_without_segment")] == 2


def test_web_vitals_streamed_after_their_pageload_are_added_to_it(digest: Digest) -> None:
    segment_id, trace_id = "8dbb3e2c92f2cf1e", uuid.uuid4().hex

    def container(*spans: dict[str, Any]) -> bytes:
        item = Item({"type": "span", "item_count": len(spans), "content_type": SPAN_CONTAINER},
                    orjson.dumps({"version": 2, "items": list(spans)}))  # fmt: skip
        return serialize_envelope(Envelope({}, [item]))

    def vital(name: str, value: float) -> dict[str, Any]:
        return {"value": value, "type": "double"}

    pageload = {"name": "Pageload", "span_id": segment_id, "trace_id": trace_id, "is_segment": True, "status": "ok",
                "start_timestamp": NOW - 3, "end_timestamp": NOW - 2,
                "attributes": {"sentry.op": {"value": "pageload", "type": "string"},
                               "browser.web_vital.lcp.value": vital("lcp", 300.0),
                               "browser.web_vital.fcp.value": vital("fcp", 250.0)}}  # fmt: skip
    hidden = {"name": "Layout shift", "span_id": "9ce2f55fe2c9f549", "trace_id": trace_id, "is_segment": False,
              "start_timestamp": NOW - 1, "end_timestamp": NOW - 1,
              "attributes": {"sentry.segment.id": {"value": segment_id, "type": "string"},
                             "browser.web_vital.cls.value": vital("cls", 0.147),
                             "browser.web_vital.lcp.value": vital("lcp", 420.0)}}  # fmt: skip
    digest.send(container(pageload))
    digest.send(container(hidden))
    with digest.sessions() as session:
        assert session.scalars(select(Transaction.measurements)).all() == [{"lcp": 420.0, "fcp": 250.0, "cls": 0.147}]

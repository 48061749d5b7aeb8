"""When the queue is full, ingest refuses with 503 instead of growing the spool without bound."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import orjson

from heron.protocol.envelope import Envelope, Item, serialize_envelope
from tests.harness import HeronServer


def _envelope() -> bytes:
    event_id = uuid.uuid4().hex
    event = {"event_id": event_id, "message": "queued", "timestamp": time.time()}
    return serialize_envelope(Envelope({"event_id": event_id}, [Item({"type": "event"}, orjson.dumps(event))]))


def test_a_full_queue_answers_503_and_keeps_what_it_accepted(tmp_path: Path) -> None:
    server = HeronServer(tmp_path, serve_args=["--no-worker"], extra_env={"HERON_QUEUE_MAX_DEPTH": "3"})
    server.migrate()
    server.start()
    try:
        tenant = server.create_tenant("full")
        url = f"{server.url}/api/{tenant.project_id}/envelope/"
        headers = {"X-Sentry-Auth": f"Sentry sentry_key={tenant.public_key}, sentry_version=7"}
        statuses = [httpx.post(url, content=_envelope(), headers=headers).status_code for _ in range(3)]
        time.sleep(1.5)  # ingest re-reads the queue depth every second
        refused = httpx.post(url, content=_envelope(), headers=headers)
        health = httpx.get(f"{server.url}/_health").json()
    finally:
        server.stop()
    assert statuses == [200, 200, 200]
    assert refused.status_code == 503
    assert refused.json() == {"detail": "failed to queue envelope: queue is full"}
    assert health["queue"]["depth"] == 3

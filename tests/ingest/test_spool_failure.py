"""When the spool cannot store an envelope (disk full, I/O error), ingest answers 503 and says so: the SDK backs
off and sends again, instead of meeting a 500."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path

import httpx
import orjson
import pytest

from heron.ingest.accept import Ingestor
from heron.ingest.app import IngestApp
from heron.ingest.keys import KeyCache, KeyInfo
from heron.protocol.envelope import Envelope, Item, serialize_envelope
from heron.protocol.limits import ItemLimits
from heron.queue.sqlite import SqliteQueue


def test_a_spool_that_cannot_write_answers_503_and_logs_why(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    queue = SqliteQueue(str(tmp_path / "queue.sqlite3"))
    queue.close()  # every write fails from now on, as on a full disk
    keys = KeyCache(lambda public_key: KeyInfo(1, 7, True, None, None) if public_key == "k" * 32 else None)
    ingestor = Ingestor(queue, keys, ItemLimits(max_event_size=1 << 20), max_envelope_size=1 << 20, queue_max_depth=10)
    app = IngestApp(ingestor, max_body_size=1 << 20, trust_x_forwarded_for=False)
    event_id = uuid.uuid4().hex
    body = serialize_envelope(
        Envelope(
            {"event_id": event_id}, [Item({"type": "event"}, orjson.dumps({"message": "x", "timestamp": time.time()}))]
        )
    )

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://heron") as client:
            return await client.post(
                "/api/7/envelope/", content=body, headers={"X-Sentry-Auth": f"Sentry sentry_key={'k' * 32}"}
            )

    with caplog.at_level(logging.ERROR, logger="heron.queue.sqlite"):
        response = asyncio.run(post())
    assert response.status_code == 503
    assert response.json() == {"detail": "failed to queue envelope"}
    assert response.headers["x-sentry-error"] == "failed to queue envelope"
    assert "the spool could not store 1 envelope(s): the spool is closed" in caplog.text

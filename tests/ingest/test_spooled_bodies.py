"""What ingest writes to the spool: small envelopes decoded (the digest need not decode them again), large ones as
they were sent; either way the digest reads back the envelope the client sent."""

from __future__ import annotations

import gzip
import random
import string
import time
import uuid
from pathlib import Path

import brotli
import httpx
import orjson

from heron.ingest.accept import SPOOL_DECODED_UP_TO
from heron.protocol.compression import decompress
from heron.protocol.envelope import Envelope, Item, serialize_envelope
from heron.queue.sqlite import SqliteQueue
from tests.harness import HeronServer


def _envelope(attachment_size: int = 0) -> bytes:
    event_id = uuid.uuid4().hex
    event = {"event_id": event_id, "message": "spooled", "timestamp": time.time()}
    items = [Item({"type": "event"}, orjson.dumps(event))]
    if attachment_size:
        text = "".join(random.Random(7).choices(string.ascii_letters, k=attachment_size)).encode()
        items.append(Item({"type": "attachment", "filename": "log.txt"}, text))
    return serialize_envelope(Envelope({"event_id": event_id}, items))


def test_small_envelopes_are_spooled_decoded_and_large_ones_as_sent(tmp_path: Path) -> None:
    server = HeronServer(tmp_path, serve_args=["--no-worker"])
    server.migrate()
    server.start()
    small, large = _envelope(), _envelope(attachment_size=SPOOL_DECODED_UP_TO)
    sent = [(small, "br", brotli.compress(small)), (large, "gzip", gzip.compress(large)), (small, None, small)]
    try:
        tenant = server.create_tenant("spool")
        url = f"{server.url}/api/{tenant.project_id}/envelope/"
        auth = {"X-Sentry-Auth": f"Sentry sentry_key={tenant.public_key}, sentry_version=7"}
        for _, encoding, body in sent:
            headers = {**auth, **({"Content-Encoding": encoding} if encoding else {})}
            assert httpx.post(url, content=body, headers=headers).status_code == 200
    finally:
        server.stop()
    spool = SqliteQueue(str(tmp_path / "queue.sqlite3"))
    try:
        claimed = [c.envelope for c in spool.claim(10, 60)]
    finally:
        spool.close()
    assert [(e.content_encoding, e.body) for e in claimed] == [(None, small), ("gzip", sent[1][2]), (None, small)]
    assert decompress(claimed[1].body, claimed[1].content_encoding, 1 << 20) == large

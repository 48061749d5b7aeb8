"""Golden events: real sentry-sdk payloads and exactly what the digest's CPU path makes of them.

Each `golden/<name>.input.json` is an event as sentry-sdk 2.75 sent it (three errors from the workload of
`bench/digest_cpu.py`, one logged message with an attached stack, a hybrid fingerprint and oversized data);
`golden/<name>.expected.json` is what `prepare_event` produced from it: the canonical event with its tags, group
hashes (strategy heron:v1), title, culprit and metadata. Any difference is a change of behaviour, and a different
hash silently splits or merges stored issues. Rewrite the expected files only for a deliberate change:

    HERON_WRITE_GOLDEN=1 .venv/bin/pytest tests/digest/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from heron.digest.dictionaries import EventCompression
from heron.digest.pipeline import prepare_event
from heron.digest.unpack import RawEvent
from heron.grouping import DEFAULT_CONFIG
from heron.protocol.timestamps import parse_timestamp
from heron.store.bodies import decompress_json
from heron.store.projects import DigestProject

GOLDEN = Path(__file__).parent / "golden"
NAMES = sorted(path.name.removesuffix(".input.json") for path in GOLDEN.glob("*.input.json"))
# One event comes from an SDK whose clock is two hours behind: its timestamps are corrected by the drift.
CLOCK_DRIFT = {"json_hook_system_frames": 7200.0}


def prepared_body(name: str) -> dict[str, Any]:
    payload = orjson.loads((GOLDEN / f"{name}.input.json").read_bytes())
    sent = parse_timestamp(payload["timestamp"])
    assert sent is not None
    received = sent + 1.5 + CLOCK_DRIFT.get(name, 0.0)
    raw = RawEvent(
        project_id=1,
        event_id=payload["event_id"],
        payload=payload,
        received=received,
        sent_at=sent + 1.0,
        client_ip="198.51.100.7",
    )
    project = DigestProject(id=1, organization_id=1, grouping_config=DEFAULT_CONFIG)
    prepared = prepare_event(raw, project, EventCompression())
    body: dict[str, Any] = decompress_json(prepared.body)
    return body


def test_there_are_golden_events() -> None:
    assert len(NAMES) >= 4


@pytest.mark.parametrize("name", NAMES)
def test_sdk_events_digest_exactly_as_pinned(name: str) -> None:
    actual = orjson.dumps(prepared_body(name), option=orjson.OPT_INDENT_2) + b"\n"
    expected_path = GOLDEN / f"{name}.expected.json"
    if os.environ.get("HERON_WRITE_GOLDEN") == "1":
        expected_path.write_bytes(actual)
    # Bytes, not just equal values: key order is part of the stored body.
    assert actual.decode() == expected_path.read_text()

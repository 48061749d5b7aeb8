"""Stored bodies: zstd-compressed JSON, and what a compressed body costs in memory while a batch holds it."""

from __future__ import annotations

import tracemalloc

import orjson

from heron.store.bodies import compress_bytes, compress_json, decompress_json


def test_a_body_round_trips() -> None:
    event = {"event_id": "a" * 32, "tags": [["level", "error"]], "extra": {"n": list(range(100))}}
    assert decompress_json(compress_json(event)) == event


def test_a_compressed_body_holds_only_its_own_length_in_memory() -> None:
    # zstandard hands back the buffer it compressed into, as large as the input: a batch of 500 events held
    # 4.9 MiB of bodies that were 1.7 MiB long.
    data = orjson.dumps({f"key {i}": f"a repetitive value {i % 7}" for i in range(2000)})
    tracemalloc.start()
    try:
        body = compress_bytes(data)
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(body) < len(data) / 5
    assert held < 2 * len(body) + 1024

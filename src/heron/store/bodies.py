"""Stored bodies: JSON compressed with zstd, alone or with a dictionary trained on the project's events.
Everything that reads or writes a body goes through here."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import orjson
import zstandard

# Level 1 rather than zstd's default 3: with a project's dictionary, a digest worker compressed an event in 29-33
# instead of 45-51 µs, and stored 844 instead of 756 bytes (bench/ingest.py, 10,000 events).
_LEVEL = 1
_local = threading.local()
# log2 of the size of the trainer's frequency tables. With zstd's default, 20, training on 150 of the bench's
# events (bench/ingest.py) took a process 11 MiB above its resting size, which a digest worker's peak showed;
# with 16 it took 2 MiB and 27 instead of 41 ms, and the held-out events compressed as well (to 7.9 % of their
# raw size against 8.1 %).
_TRAINING_TABLE_BITS = 16

# zstd keeps dictionary ids below 32768 for a public registry; ours are the row id above it.
_DICTIONARY_ID_BASE = 32768
_DICTIONARY_MAGIC = b"\x37\xa4\x30\xec"


def _codecs() -> tuple[Any, Any]:
    # zstd contexts are not thread-safe; one pair per thread is reused across calls.
    codecs = getattr(_local, "codecs", None)
    if codecs is None:
        codecs = _local.codecs = (zstandard.ZstdCompressor(level=_LEVEL), zstandard.ZstdDecompressor())
    return codecs


def compress_json(value: Any) -> bytes:
    """A JSON value as compressed bytes for a body column."""
    return compress_bytes(orjson.dumps(value))


def compress_bytes(data: bytes, compressor: zstandard.ZstdCompressor | None = None) -> bytes:
    """Raw bytes compressed for a body column, alone or by a `dictionary_compressor`.

    Copied into a bytes object of its own length: zstandard returns one that keeps the whole allocation it
    compressed into (as large as the input), so a digest batch held each event's body at its uncompressed size.
    """
    return bytes(memoryview((compressor or _codecs()[0]).compress(data)))


def decompress_json(body: bytes, decompressor: zstandard.ZstdDecompressor | None = None) -> Any:
    """The JSON value stored in a body column; a body that names a dictionary (`body_dictionary_id`) needs its
    `dictionary_decompressor`."""
    return orjson.loads(decompress_bytes(body, decompressor))


def decompress_bytes(body: bytes, decompressor: zstandard.ZstdDecompressor | None = None) -> bytes:
    """The raw bytes stored in a body column."""
    return bytes((decompressor or _codecs()[1]).decompress(body))


def body_dictionary_id(body: bytes) -> int | None:
    """The id (`event_dictionaries.id`) of the dictionary a body was compressed with; None if none."""
    frame_id: int = zstandard.get_frame_parameters(body).dict_id
    return frame_id - _DICTIONARY_ID_BASE if frame_id >= _DICTIONARY_ID_BASE else None


def train_dictionary(samples: Sequence[bytes], size: int) -> bytes:
    """A zstd dictionary of at most `size` bytes for data like `samples`.

    Raises ValueError when zstd cannot make one of them (too few or too small samples).
    """
    try:
        return zstandard.train_dictionary(size, list(samples), level=_LEVEL, f=_TRAINING_TABLE_BITS).as_bytes()
    except zstandard.ZstdError as exc:
        raise ValueError(f"no dictionary from {len(samples)} samples: {exc}") from None


def stored_dictionary(dictionary_id: int, data: bytes) -> zstandard.ZstdCompressionDict:
    """A dictionary from `train_dictionary` as stored under `dictionary_id`: frames compressed with it name
    that id in their header, so a reader knows which dictionary a body needs."""
    if data[:4] != _DICTIONARY_MAGIC:
        raise ValueError(f"event dictionary {dictionary_id} is not a zstd dictionary")
    named = data[:4] + (_DICTIONARY_ID_BASE + dictionary_id).to_bytes(4, "little") + data[8:]
    return zstandard.ZstdCompressionDict(named, dict_type=zstandard.DICT_TYPE_FULLDICT)


def dictionary_compressor(dictionary: zstandard.ZstdCompressionDict) -> zstandard.ZstdCompressor:
    """A compressor for `compress_bytes` that uses `dictionary`. Like any zstd context, one thread at a time."""
    return zstandard.ZstdCompressor(level=_LEVEL, dict_data=dictionary)


def dictionary_decompressor(dictionary: zstandard.ZstdCompressionDict) -> zstandard.ZstdDecompressor:
    """A decompressor for `decompress_json` that uses `dictionary`: made once per dictionary, not per body (15 µs
    against 0.6 µs to decode a body)."""
    return zstandard.ZstdDecompressor(dict_data=dictionary)

"""Stored bodies: JSON compressed with zstd. Everything that reads or writes a body goes through here."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import zstandard

_LEVEL = 3
_local = threading.local()


def _codecs() -> tuple[Any, Any]:
    # zstd contexts are not thread-safe; one pair per thread is reused across calls.
    codecs = getattr(_local, "codecs", None)
    if codecs is None:
        codecs = _local.codecs = (zstandard.ZstdCompressor(level=_LEVEL), zstandard.ZstdDecompressor())
    return codecs


def compress_json(value: Any) -> bytes:
    """A JSON value as compressed bytes for a body column."""
    return compress_bytes(orjson.dumps(value))


def compress_bytes(data: bytes) -> bytes:
    """Raw bytes compressed for a body column.

    Copied into a bytes object of its own length: zstandard returns one that keeps the whole allocation it
    compressed into (as large as the input), so a digest batch held each event's body at its uncompressed size.
    """
    return bytes(memoryview(_codecs()[0].compress(data)))


def decompress_json(body: bytes) -> Any:
    """The JSON value stored in a body column."""
    return orjson.loads(decompress_bytes(body))


def decompress_bytes(body: bytes) -> bytes:
    """The raw bytes stored in a body column."""
    return bytes(_codecs()[1].decompress(body))

"""A mergeable latency sketch (DDSketch-style logarithmic buckets) with a bounded relative error.

A value v > 0 falls in bucket i = ceil(log_gamma(v)), gamma = (1 + a) / (1 - a), and bucket i stands for the value
2 * gamma**i / (gamma + 1), which is within a relative error `a` of every value of the bucket. A quantile is the
representative value of the bucket holding the wanted rank, so it is within `a` of the exact sample at that rank.
Sketches merge by adding counts bucket by bucket, so minute rollups add up to hours, days and whole periods, and
a percentile over 90 days costs the number of rollup rows, not of transactions.

Values at or below MIN_VALUE (durations of 0 ms happen) are counted in a zero bucket and read back as 0; values
above MAX_VALUE (115 days in milliseconds: a broken clock) are counted in the last bucket.

This class builds sketches value by value and merges a few (the digest); heron.perf.sketch_sum merges thousands of
stored ones for the pages. The stored form (`to_bytes`) is binary so that both read it without parsing: a header
(version, layout, count width, zero count, first index, length), then either the counts of every bucket from the
first index on ("dense", for full sketches) or the indexes then the counts of the non-empty buckets ("sparse", for
the few values of a minute), whichever is smaller. Version 2 (a JSON array) is still read.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

RELATIVE_ACCURACY = 0.005  # half of the 1% the percentiles promise, leaving room for how "exact" is defined
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(GAMMA)
MIN_VALUE = 1e-6
MAX_VALUE = 1e10
MAX_INDEX = math.ceil(math.log(MAX_VALUE) / _LOG_GAMMA)
VERSION = 3
DENSE, SPARSE = b"d", b"s"
# version, layout (DENSE or SPARSE), bytes per count (4 or 8), zero count, first index (dense), number of counts
HEADER = struct.Struct("<BcBQiI")
LEGACY_JSON_VERSION = 2


class SketchError(ValueError):
    """Bytes that are not a serialized sketch."""


class Sketch:
    """Counts of values per logarithmic bucket."""

    __slots__ = ("buckets", "count", "zero")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.zero = 0
        self.count = 0

    def add(self, value: float, times: int = 1) -> None:
        """Count `value` (`times` times). Negative and non-finite values are refused."""
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"a sketch counts finite values >= 0, not {value!r}")
        if value <= MIN_VALUE:
            self.zero += times
        else:
            index = min(math.ceil(math.log(value) / _LOG_GAMMA), MAX_INDEX)
            self.buckets[index] = self.buckets.get(index, 0) + times
        self.count += times

    def merge(self, other: Sketch) -> None:
        """Add another sketch's counts to this one."""
        buckets = self.buckets
        get = buckets.get
        for index, times in other.buckets.items():
            buckets[index] = get(index, 0) + times
        self.zero += other.zero
        self.count += other.count

    def quantile(self, q: float) -> float | None:
        """The value at quantile `q` (0 to 1) of what was counted: the sample of rank floor(q * (count - 1)),
        within the relative accuracy. None when the sketch is empty."""
        return self.quantiles([q])[0]

    def quantiles(self, qs: Iterable[float]) -> list[float | None]:
        """Several quantiles in one pass over the buckets."""
        wanted = list(qs)
        if any(not 0 <= q <= 1 for q in wanted):
            raise ValueError("quantiles are between 0 and 1")
        if self.count == 0:
            return [None for _ in wanted]
        ranks = sorted((math.floor(q * (self.count - 1)), position) for position, q in enumerate(wanted))
        answers: list[float | None] = [None] * len(wanted)
        seen = self.zero
        pending = 0
        while pending < len(ranks) and ranks[pending][0] < seen:
            answers[ranks[pending][1]] = 0.0
            pending += 1
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            while pending < len(ranks) and ranks[pending][0] < seen:
                answers[ranks[pending][1]] = _value_of(index)
                pending += 1
            if pending == len(ranks):
                break
        return answers

    @staticmethod
    def value_of(index: int) -> float:
        """The value bucket `index` stands for."""
        return _value_of(index)

    def to_bytes(self) -> bytes:
        """The stored form (see the module's docstring): dense or sparse, whichever is smaller."""
        indexes = sorted(self.buckets)
        counts = [self.buckets[index] for index in indexes]
        width = 4 if not counts or max(counts) < 2**32 else 8
        code = "I" if width == 4 else "Q"
        span = indexes[-1] - indexes[0] + 1 if indexes else 0
        if span * width <= len(indexes) * (4 + width):
            first = indexes[0] if indexes else 0
            dense = [0] * span
            for index, times in zip(indexes, counts, strict=True):
                dense[index - first] = times
            header = HEADER.pack(VERSION, DENSE, width, self.zero, first, span)
            return header + struct.pack(f"<{span}{code}", *dense)
        header = HEADER.pack(VERSION, SPARSE, width, self.zero, 0, len(indexes))
        return header + struct.pack(f"<{len(indexes)}i{len(counts)}{code}", *indexes, *counts)

    @classmethod
    def from_bytes(cls, data: bytes) -> Sketch:
        """A sketch from `to_bytes()` (or version 2); SketchError for anything else."""
        if data[:1] == bytes([LEGACY_JSON_VERSION]):
            return cls._from_json(data)
        stored = read_header(data)
        sketch = cls()
        sketch.zero = stored.zero
        code = "I" if stored.width == 4 else "Q"
        if stored.layout == DENSE:
            counts = struct.unpack_from(f"<{stored.length}{code}", data, HEADER.size)
            sketch.buckets = {stored.first + i: times for i, times in enumerate(counts) if times}
        else:
            values = struct.unpack_from(f"<{stored.length}i{stored.length}{code}", data, HEADER.size)
            sketch.buckets = dict(zip(values[: stored.length], values[stored.length :], strict=True))
        sketch.count = sketch.zero + sum(sketch.buckets.values())
        return sketch

    @classmethod
    def _from_json(cls, data: bytes) -> Sketch:
        try:
            flat = orjson.loads(data[1:])
        except orjson.JSONDecodeError:
            raise SketchError("truncated sketch") from None
        if not isinstance(flat, list) or len(flat) % 2 != 1 or not all(type(v) is int for v in flat):
            raise SketchError("not a serialized sketch (bad contents)")
        sketch = cls()
        sketch.zero = flat[0]
        pairs = iter(flat[1:])
        sketch.buckets = dict(zip(pairs, pairs, strict=True))
        sketch.count = sketch.zero + sum(sketch.buckets.values())
        return sketch


@dataclass(frozen=True, slots=True)
class StoredHeader:
    """The header of a stored sketch, checked against the length of what follows it."""

    layout: bytes
    width: int
    zero: int
    first: int
    length: int


def read_header(data: bytes) -> StoredHeader:
    """The header of a stored sketch (version 3); SketchError when the bytes are not one."""
    if len(data) < HEADER.size or data[0] != VERSION:
        raise SketchError("not a serialized sketch (unknown version)")
    _version, layout, width, zero, first, length = HEADER.unpack_from(data)
    if layout not in (DENSE, SPARSE) or width not in (4, 8):
        raise SketchError("not a serialized sketch (bad header)")
    per_count = width if layout == DENSE else width + 4
    if len(data) != HEADER.size + length * per_count:
        raise SketchError("truncated sketch")
    return StoredHeader(layout, width, zero, first, length)


def merged(sketches: Iterable[Sketch]) -> Sketch:
    """One sketch holding the counts of all of them."""
    total = Sketch()
    for sketch in sketches:
        total.merge(sketch)
    return total


def _value_of(index: int) -> float:
    return 2 * GAMMA**index / (GAMMA + 1)

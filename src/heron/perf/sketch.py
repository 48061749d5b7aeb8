"""A mergeable latency sketch (DDSketch-style logarithmic buckets) with a bounded relative error.

A value v > 0 falls in bucket i = ceil(log_gamma(v)), gamma = (1 + a) / (1 - a), and bucket i stands for the value
2 * gamma**i / (gamma + 1), which is within a relative error `a` of every value of the bucket. A quantile is the
representative value of the bucket holding the wanted rank, so it is within `a` of the exact sample at that rank.
Sketches merge by adding counts bucket by bucket, so minute rollups add up to hours, days and whole periods, and
a percentile over 90 days costs the number of rollup rows, not of transactions.

Values at or below MIN_VALUE (durations of 0 ms happen) are counted in a zero bucket and read back as 0.
The serialized form is a version byte and a JSON array of the zero count and (index, count) pairs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import orjson

RELATIVE_ACCURACY = 0.005  # half of the 1% the percentiles promise, leaving room for how "exact" is defined
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(GAMMA)
MIN_VALUE = 1e-6
_VERSION = 2


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
            index = math.ceil(math.log(value) / _LOG_GAMMA)
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
        """The serialized form: a version byte, then a JSON array [zero count, index, count, index, count, ...]."""
        flat = [self.zero]
        for index in sorted(self.buckets):
            flat += (index, self.buckets[index])
        return bytes([_VERSION]) + orjson.dumps(flat)

    @classmethod
    def from_bytes(cls, data: bytes) -> Sketch:
        """A sketch from `to_bytes()`; SketchError for anything else. (JSON parses in C: reading the sketches of a
        90-day period is what the percentile pages spend their time on.)"""
        if not data or data[0] != _VERSION:
            raise SketchError("not a serialized sketch (unknown version)")
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


def merged(sketches: Iterable[Sketch]) -> Sketch:
    """One sketch holding the counts of all of them."""
    total = Sketch()
    for sketch in sketches:
        total.merge(sketch)
    return total


def _value_of(index: int) -> float:
    return 2 * GAMMA**index / (GAMMA + 1)

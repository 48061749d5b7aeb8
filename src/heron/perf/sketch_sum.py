"""The sum of many stored latency sketches, for the pages: a 90-day table merges thousands of rollup rows, each of
up to hundreds of buckets. Adding a stored sketch only checks its header and keeps its bytes; the first question
(a quantile, the buckets) adds all the kept ones at once with numpy, so the cost per row is a few Python steps and
the buckets are added as arrays, not one by one.

numpy is imported at that first question, not with this module: it costs a process about 20 MiB, and the digest's
workers (forked from `heron serve`) never read percentiles.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from heron.perf.sketch import DENSE, HEADER, LEGACY_JSON_VERSION, Sketch, read_header

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_SLACK = 64  # buckets added on each side when the array grows, so that later sketches rarely grow it again
_DTYPES = {4: "<u4", 8: "<i8"}  # stored count widths; int64 sums stay int64 (uint64 would turn them float)


@dataclass(slots=True)
class _Kept:
    """Stored sketches of one count width not added yet: dense ones by first index, length and counts; sparse
    ones by their index and count arrays."""

    firsts: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    dense: list[memoryview] = field(default_factory=list)
    sparse_indexes: list[memoryview] = field(default_factory=list)
    sparse_counts: list[memoryview] = field(default_factory=list)


class SketchSum:
    """Counts per logarithmic bucket (as heron.perf.sketch.Sketch) held in one int64 array from index `_first` on,
    plus the stored sketches kept to be added."""

    __slots__ = ("_counts", "_first", "_kept", "_total", "zero")

    def __init__(self) -> None:
        self._counts: NDArray[np.int64] | None = None
        self._first = 0
        self._kept: dict[int, _Kept] = defaultdict(_Kept)
        self._total = 0
        self.zero = 0

    @property
    def count(self) -> int:
        """How many values the sum holds, the zero bucket included."""
        self._settle()
        return self._total + self.zero

    def add_bytes(self, data: bytes) -> None:
        """Add a stored sketch (`Sketch.to_bytes()`, or version 2); SketchError when the bytes are not one."""
        if data[:1] == bytes([LEGACY_JSON_VERSION]):
            data = Sketch.from_bytes(data).to_bytes()
        stored = read_header(data)
        self.zero += stored.zero
        if not stored.length:
            return
        kept = self._kept[stored.width]
        body = memoryview(data)[HEADER.size :]
        if stored.layout == DENSE:
            kept.firsts.append(stored.first)
            kept.lengths.append(stored.length)
            kept.dense.append(body)
        else:
            kept.sparse_indexes.append(body[: 4 * stored.length])
            kept.sparse_counts.append(body[4 * stored.length :])

    def add_sketch(self, sketch: Sketch) -> None:
        """Add a sketch built in memory."""
        self.add_bytes(sketch.to_bytes())

    def merge(self, other: SketchSum) -> None:
        """Add another sum's counts."""
        other._settle()
        self.zero += other.zero
        self._total += other._total
        if other._counts is not None:
            first, length = other._first, len(other._counts)
            target = self._cover(first, first + length - 1)
            target[first - self._first : first - self._first + length] += other._counts

    def quantile(self, q: float) -> float | None:
        """As Sketch.quantile: the value at quantile `q`, within the relative accuracy; None when empty."""
        return self.quantiles([q])[0]

    def quantiles(self, qs: Iterable[float]) -> list[float | None]:
        """As Sketch.quantiles: the sample of rank floor(q * (count - 1)) for each q, in one pass."""
        import numpy as np

        wanted = list(qs)
        if any(not 0 <= q <= 1 for q in wanted):
            raise ValueError("quantiles are between 0 and 1")
        count = self.count
        if count == 0:
            return [None for _ in wanted]
        ranks = [math.floor(q * (count - 1)) for q in wanted]
        if self._counts is None:
            return [0.0 for _ in wanted]
        seen = np.cumsum(self._counts) + self.zero
        positions = np.searchsorted(seen, ranks, side="right")  # the first bucket holding more than `rank` values
        return [
            0.0 if rank < self.zero else Sketch.value_of(self._first + int(position))
            for rank, position in zip(ranks, positions, strict=True)
        ]

    def buckets(self) -> dict[int, int]:
        """The non-empty buckets: index -> count (the zero bucket apart, in `zero`)."""
        import numpy as np

        self._settle()
        if self._counts is None:
            return {}
        (offsets,) = np.nonzero(self._counts)
        return {self._first + int(offset): int(self._counts[offset]) for offset in offsets}

    def _settle(self) -> None:
        """Add the kept sketches: every (index, count) pair of them in one bincount."""
        import numpy as np

        for width, kept in self._kept.items():
            indexes, counts = [], []
            if kept.dense:
                lengths = np.array(kept.lengths, dtype=np.int64)
                counts.append(np.frombuffer(b"".join(kept.dense), dtype=_DTYPES[width]))
                starts = np.cumsum(lengths) - lengths  # where each sketch's counts begin in the joined array
                firsts = np.array(kept.firsts, dtype=np.int64)
                indexes.append(np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(firsts - starts, lengths))
            if kept.sparse_indexes:
                indexes.append(np.frombuffer(b"".join(kept.sparse_indexes), dtype="<i4").astype(np.int64))
                counts.append(np.frombuffer(b"".join(kept.sparse_counts), dtype=_DTYPES[width]))
            every_index, every_count = np.concatenate(indexes), np.concatenate(counts).astype(np.int64)
            low, high = int(every_index.min()), int(every_index.max())
            # float weights are exact up to 2**53 values per bucket
            added = np.bincount(every_index - low, weights=every_count, minlength=high - low + 1).astype(np.int64)
            target = self._cover(low, high)
            target[low - self._first : low - self._first + len(added)] += added
            self._total += int(every_count.sum())
        self._kept.clear()

    def _cover(self, low: int, high: int) -> NDArray[np.int64]:
        """The counts array, grown to hold indexes low..high."""
        import numpy as np

        counts = self._counts
        if counts is None:
            self._first = low - _SLACK
            self._counts = np.zeros(high - low + 1 + 2 * _SLACK, dtype=np.int64)
            return self._counts
        last = self._first + len(counts) - 1
        if low >= self._first and high <= last:
            return counts
        first = min(self._first, low - _SLACK)
        grown = np.zeros(max(last, high + _SLACK) - first + 1, dtype=np.int64)
        grown[self._first - first : self._first - first + len(counts)] = counts
        self._first, self._counts = first, grown
        return grown

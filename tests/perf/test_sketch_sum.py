"""Summing stored sketches with numpy answers exactly as merging them one by one, from every stored layout."""

from __future__ import annotations

import random
import subprocess
import sys

import orjson
import pytest

from heron.perf.sketch import DENSE, HEADER, SPARSE, Sketch, SketchError, merged
from heron.perf.sketch_sum import SketchSum

QUANTILES = (0.0, 0.01, 0.5, 0.75, 0.95, 0.99, 1.0)


def sketch_of(values: list[float]) -> Sketch:
    sketch = Sketch()
    for value in values:
        sketch.add(value)
    return sketch


def test_a_sum_of_stored_sketches_answers_as_the_merged_sketches() -> None:
    rng = random.Random(5)
    parts = [
        sketch_of([rng.lognormvariate(rng.uniform(2, 7), 1) for _ in range(rng.choice([1, 3, 40, 3_000]))])
        for _ in range(200)
    ]
    parts[7].add(0.0)  # a zero bucket
    total = SketchSum()
    for part in parts:
        total.add_bytes(part.to_bytes())
    expected = merged(parts)
    assert (total.count, total.zero) == (expected.count, expected.zero)
    assert total.quantiles(QUANTILES) == expected.quantiles(QUANTILES)
    assert total.buckets() == expected.buckets


def test_dense_sparse_and_version_2_bytes_read_the_same() -> None:
    full = sketch_of([float(v) for v in range(1, 2_000)])
    few = sketch_of([1.0, 50_000.0])
    assert full.to_bytes()[1:2] == DENSE and few.to_bytes()[1:2] == SPARSE
    legacy = b"\x02" + orjson.dumps([2, *[x for index in sorted(few.buckets) for x in (index, few.buckets[index])]])
    for sketch, data in ((full, full.to_bytes()), (few, few.to_bytes()), (few, legacy)):
        read = Sketch.from_bytes(data)
        assert read.buckets == sketch.buckets
        summed = SketchSum()
        summed.add_bytes(data)
        assert summed.buckets() == sketch.buckets
    assert Sketch.from_bytes(legacy).zero == 2


def test_sums_merge_and_grow_both_ways() -> None:
    low, high = SketchSum(), SketchSum()
    low.add_sketch(sketch_of([0.01, 0.02]))
    high.add_sketch(sketch_of([1e6, 2e6]))
    high.merge(low)
    assert high.count == 4
    assert high.quantiles([0.0, 1.0]) == [pytest.approx(0.01, rel=0.01), pytest.approx(2e6, rel=0.01)]
    empty = SketchSum()
    assert empty.quantile(0.5) is None and empty.buckets() == {}
    zeros = SketchSum()
    zeros.add_sketch(sketch_of([0.0, 0.0]))
    assert zeros.quantiles([0.5, 1.0]) == [0.0, 0.0]


def test_counts_beyond_32_bits_and_absurd_durations_are_kept() -> None:
    big = Sketch()
    big.add(100.0, times=2**33)
    big.add(1e300)  # a broken clock: counted in the last bucket
    total = SketchSum()
    total.add_bytes(big.to_bytes())
    assert total.count == 2**33 + 1
    assert total.quantile(0.5) == pytest.approx(100.0, rel=0.01)


@pytest.mark.parametrize(
    "broken",
    [
        b"",
        b"\x03",
        HEADER.pack(3, b"x", 4, 0, 0, 0),
        HEADER.pack(3, DENSE, 3, 0, 0, 0),
        HEADER.pack(3, DENSE, 4, 0, 0, 2) + b"\x00" * 4,
        HEADER.pack(3, SPARSE, 4, 0, 0, 1) + b"\x00" * 4,
        b"\x09whatever",
    ],
)
def test_bytes_that_are_not_a_sketch_are_refused(broken: bytes) -> None:
    with pytest.raises(SketchError):
        SketchSum().add_bytes(broken)
    with pytest.raises(SketchError):
        Sketch.from_bytes(broken)


def test_the_digest_and_serve_import_no_numpy_until_percentiles_are_read() -> None:
    code = "import sys, heron.server, heron.digest.pool; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

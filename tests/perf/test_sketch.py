"""The latency sketch: quantiles within 1% of the exact sample at the same rank, merging, serializing."""

from __future__ import annotations

import math
import random

import pytest

from heron.perf.sketch import Sketch, SketchError, merged

QUANTILES = (0.5, 0.75, 0.95, 0.99)


def exact(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


@pytest.mark.parametrize(
    "draw",
    [
        lambda r: r.lognormvariate(5, 1.2),  # web requests in ms: a long tail
        lambda r: r.uniform(0.5, 30_000),
        lambda r: r.expovariate(1 / 80),
        lambda r: r.choice([12.0, 13.0, 2_500.0]),  # a few exact values
    ],
)
def test_quantiles_are_within_one_percent_of_the_exact_ones(draw) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    values = [draw(rng) for _ in range(20_000)]
    sketch = Sketch()
    for value in values:
        sketch.add(value)
    for q, estimate in zip(QUANTILES, sketch.quantiles(QUANTILES), strict=True):
        truth = exact(values, q)
        assert estimate is not None and abs(estimate - truth) <= 0.01 * truth, (q, estimate, truth)


def test_merged_minutes_answer_as_one_sketch_of_everything() -> None:
    rng = random.Random(3)
    minutes = [[rng.lognormvariate(4, 1) for _ in range(rng.randrange(1, 200))] for _ in range(300)]
    parts = []
    for values in minutes:
        part = Sketch()
        for value in values:
            part.add(value)
        parts.append(Sketch.from_bytes(part.to_bytes()))  # as stored and read back
    total = merged(parts)
    everything = [value for values in minutes for value in values]
    assert total.count == len(everything)
    for q in QUANTILES:
        estimate, truth = total.quantile(q), exact(everything, q)
        assert estimate is not None and abs(estimate - truth) <= 0.01 * truth


def test_zero_durations_empty_sketches_and_bad_input() -> None:
    sketch = Sketch()
    assert sketch.quantile(0.5) is None
    for value in (0.0, 0.0, 0.0, 100.0):
        sketch.add(value)
    assert sketch.quantiles([0.5, 1.0])[0] == 0.0
    assert sketch.quantile(1.0) == pytest.approx(100.0, rel=0.01)
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError):
            sketch.add(bad)
    with pytest.raises(ValueError):
        sketch.quantile(1.5)
    for broken in (b"", b"\x09", b"\x02[1,2", b"\x02[1,2]", b"\x02{}"):
        with pytest.raises(SketchError):
            Sketch.from_bytes(broken)


def test_the_serialized_form_is_small() -> None:
    sketch = Sketch()
    rng = random.Random(1)
    for _ in range(10_000):
        sketch.add(rng.lognormvariate(5, 0.5))
    data = sketch.to_bytes()
    assert Sketch.from_bytes(data).buckets == sketch.buckets
    assert len(data) < 4_000  # a few hundred buckets of about a dozen bytes each

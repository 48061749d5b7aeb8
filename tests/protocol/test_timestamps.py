from __future__ import annotations

import pytest

from heron.protocol.errors import MalformedRequest
from heron.protocol.timestamps import format_timestamp, parse_timestamp

# 2011-05-02T17:41:36Z
T = 1304358096.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2011-05-02T17:41:36Z", T),
        ("2011-05-02T17:41:36", T),
        ("2011-05-02 17:41:36", T),
        ("2011-05-02t17:41:36z", T),
        ("2011-05-02T17:41:36.5Z", T + 0.5),
        ("2011-05-02T17:41:36.123456Z", T + 0.123456),
        ("2011-05-02T17:41:36.123456789123Z", T + 0.123456789),
        ("2011-05-02T17:41:36,25Z", T + 0.25),
        ("2011-05-02T19:41:36+02:00", T),
        ("2011-05-02T16:11:36-0130", T),
        ("2011-05-02T17:41:36+00", T),
        ("2011-05-02T17:41Z", T - 36),
        ("2011-05-02", T - (17 * 3600 + 41 * 60 + 36)),
        ("  2011-05-02T17:41:36Z\n", T),
        (T, T),
        (int(T), T),
        ("1304358096", T),
        ("1304358096.25", T + 0.25),
        ("1.304358096e9", T),
        (0, 0.0),
    ],
)
def test_parse_timestamp_reads_rfc3339_and_epoch_forms(value: object, expected: float) -> None:
    assert parse_timestamp(value) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        "",
        "yesterday",
        "2011-02-30T00:00:00Z",
        "2011-05-02T25:00:00Z",
        "2011-05-02T17:41:60Z",
        "2011-05-02T17:41:36+25:00",
        "0000-01-01T00:00:00Z",
        "2011-05-02T17:41:36ZZ",
        float("nan"),
        float("inf"),
        "-inf",
        "1e400",
        10**30,
        -(10**30),
        [T],
        {"ts": T},
    ],
)
def test_parse_timestamp_answers_none_for_anything_else(value: object) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    ("ts", "expected"),
    [
        (1795866932.644916, "2026-11-28T11:55:32.644916Z"),
        (T, "2011-05-02T17:41:36.000000Z"),
        (0.0, "1970-01-01T00:00:00.000000Z"),
        (-62135596800.0, "0001-01-01T00:00:00.000000Z"),
    ],
)
def test_format_timestamp_writes_utc_microseconds_with_z(ts: float, expected: str) -> None:
    assert format_timestamp(ts) == expected


def test_formatted_timestamp_parses_back() -> None:
    assert parse_timestamp(format_timestamp(1795866932.644916)) == pytest.approx(1795866932.644916)


@pytest.mark.parametrize("ts", [float("nan"), float("inf"), 1e20])
def test_format_timestamp_refuses_values_parse_would_not_return(ts: float) -> None:
    with pytest.raises(MalformedRequest):
        format_timestamp(ts)

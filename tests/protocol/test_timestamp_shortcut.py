"""`parse_timestamp`'s shortcut for the Python SDK's form gives exactly what its general parser gives."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from heron.protocol.timestamps import _parse_any as general_parser
from heron.protocol.timestamps import format_timestamp, parse_timestamp


def _fixed(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=size, max_size=size)


# The Python SDK's shape with any digits in it: invalid months, days, hours, seconds and years included.
sdk_shaped = st.builds(
    "{}-{}-{}T{}:{}:{}.{}Z".format, _fixed(4), _fixed(2), _fixed(2), _fixed(2), _fixed(2), _fixed(2), _fixed(6)
)
moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999))


@given(sdk_shaped)
@example("9999-12-31T23:59:59.999999Z")
@example("9999-12-31T23:59:59.000000Z")
@example("0001-01-01T00:00:00.000000Z")
@example("0000-01-01T00:00:00.000000Z")
@example("2024-02-29T24:00:00.000000Z")
@example("2023-02-29T12:00:00.000000Z")
@example("2024-06-30T23:59:60.000000Z")
def test_sdk_shaped_strings_parse_as_the_general_parser_does(text: str) -> None:
    assert parse_timestamp(text) == general_parser(text)


@given(moments)
def test_sdk_timestamps_parse_as_the_general_parser_does(moment: datetime) -> None:
    text = moment.isoformat(timespec="microseconds") + "Z"
    assert parse_timestamp(text) == general_parser(text)


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
def test_formatted_epoch_seconds_round_trip_like_the_general_parser(seconds: float) -> None:
    text = format_timestamp(seconds)
    assert parse_timestamp(text) == general_parser(text)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        1732796139,
        1732796139.25,
        "1732796139.25",
        "2024-11-28T12:15:39Z",
        "2024-11-28T12:15:39.123+02:00",
        "2024-11-28 12:15:39.123456",
        "2024-11-28T12:15:39.123456z",
        " 2024-11-28T12:15:39.123456Z",
        "2024-11-28T12:15:39.1234567Z",
        "\uff12\uff10\uff12\uff14-11-28T12:15:39.123456Z",  # full-width digits
        "not a time",
        {"seconds": 1},
    ],
)
def test_other_forms_are_left_to_the_general_parser(value: object) -> None:
    assert parse_timestamp(value) == general_parser(value)

"""Scanning a message with only the patterns it could hold replaces exactly what the full regex replaces."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from heron.grouping.parameterize import _PATTERNS, _placeholder, replace_parameters

FULL_REGEX = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS))

FRAGMENTS = [
    "a@b.io",
    "https://x.example/a?b=1",
    "ws://h",
    "10.0.0.12",
    "256.1.1.1",
    "fe80::1",
    "::",
    "1:2:3:4:5:6:7:8",
    "12:30:45",
    "9:05 PM",
    "550e8400-e29b-41d4-a716-446655440000",
    "deadbeef-dead-beef-dead-beefdeadbeef",
    "3f786850e387550fdab836ed7e6dc881de23001b",
    "d41d8cd98f00b204e9800998ecf8427e",
    "ABCDEF0123456789",
    "deadbeefcafe",
    "0x1F",
    "0X",
    "2024-01-15",
    "2024-01-15T10:30:00.5+01:00",
    "Tue, 15 Jan 2024 10:30:00 +0000",
    "Tue Jan 15 2024 10:30:00 GMT+0100 (CET)",
    "Jan 15 10:30:00 2024",
    "datetime.date(2024, 1, 2)",
    "datetime.time()",
    "3.14",
    "-2.5",
    "x-1",
    " -7",
    "42",
    "\u0664\u0662",
    "key='v'",
    'key="v"',
    "flag=true",
    "flag=False",
    "=",
    "Order",
    "Janet",
    " ",
    "\n",
    ":",
    ".",
    "-",
]
messages = st.lists(st.sampled_from(FRAGMENTS) | st.text(alphabet="0123456789abcdefABCDEF:.-=@/ xJanMay", max_size=12))
texts = messages.map("".join) | st.text(max_size=80)


@settings(max_examples=800, deadline=None)
@given(texts)
@example("card declined for order 349213: insufficient funds (code 55)")
@example("payments.example.net did not answer within 2.5s")
@example('can only concatenate str (not "int") to str')
def test_pruned_patterns_replace_exactly_what_all_patterns_replace(text: str) -> None:
    assert replace_parameters(text) == FULL_REGEX.sub(_placeholder, text)

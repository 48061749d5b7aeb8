from __future__ import annotations

import time

import pytest

from heron.grouping.parameterize import parameterize_message, replace_parameters


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("mail to jane.doe+x@example.co.uk bounced", "mail to <email> bounced"),
        ("GET https://api.example.com/v1/users?id=7 failed", "GET <url> failed"),
        ("connect ws://localhost:8080/socket", "connect <url>"),
        ("from 192.168.0.12", "from <ip>"),
        ("from ::1 and 2001:db8::8a2e:370:7334", "from <ip> and <ip>"),
        ("mapped ::ffff:10.0.0.1", "mapped <ip>"),
        ("listening on [::1]:8000", "listening on [<ip>]:<int>"),
        ("job 550e8400-e29b-41d4-a716-446655440000 died", "job <uuid> died"),
        ("commit da39a3ee5e6b4b0d3255bfef95601890afd80709", "commit <sha1>"),
        ("etag d41d8cd98f00b204e9800998ecf8427e", "etag <md5>"),
        ("at 2024-01-15T10:30:00.123Z", "at <date>"),
        ("at 2024-01-15 10:30:00+01:00", "at <date>"),
        ("on 2024-01-15", "on <date>"),
        ("at 10:30:45", "at <date>"),
        ("in file.py:12:30", "in file.py:<int>:<int>"),  # a line and column, not a time
        ("sent Tue, 15 Jan 2024 10:30:00 +0000", "sent <date>"),
        ("js Tue Jan 15 2024 10:30:00 GMT+0100 (CET)", "js <date>"),
        ("c Tue Jan 15 10:30:00 2024", "c <date>"),
        ("got datetime.datetime(2024, 1, 15, 10, 30)", "got <date>"),
        ("pointer 0x7fff5fbff8c8", "pointer <hex>"),
        ("object 7f3a9c2b11e0 freed", "object <hex> freed"),
        ("took 1.25 seconds, -0.5 left", "took <float> seconds, <float> left"),
        ("order 1234 of -3", "order <int> of <int>"),
        ("item-7 missing", "item-<int> missing"),  # a dash joining words is not a minus sign
        ("order 123456789012 lost", "order <int> lost"),
        ("user='bob' not found", "user=<quoted_str> not found"),
        ('key="some value" bad', "key=<quoted_str> bad"),
        ("debug=True verbose=false", "debug=<bool> verbose=<bool>"),
    ],
)
def test_each_placeholder_replaces_its_values(message: str, expected: str) -> None:
    assert replace_parameters(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "KeyError in handler",
        "deadbeef is a word, not hex",
        "std::vector and Foo::bar are scopes, not addresses",
        "'quoted' text without a key stays",
        "",
    ],
)
def test_text_without_values_is_left_alone(message: str) -> None:
    assert replace_parameters(message) == message


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # the most specific shape wins: an e-mail holds an int, a URL an IP, a date ints
        ("a1@b2.com", "<email>"),
        ("http://10.0.0.1:80/x", "<url>"),
        ("10.0.0.1", "<ip>"),
        ("2024-01-15", "<date>"),
        ("550e8400-e29b-41d4-a716-446655440000", "<uuid>"),
        ("x=1.5", "x=<float>"),
    ],
)
def test_replacement_order_prefers_specific_shapes(message: str, expected: str) -> None:
    assert replace_parameters(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("one line", "one line"),
        ("first\n\n  \nsecond", "first\nsecond"),
        ("first\nsecond\nthird", "first\nsecond..."),
        ("\n\nfirst 1\nsecond 2\nthird 3", "first <int>\nsecond <int>..."),
        ("   ", ""),
    ],
)
def test_messages_keep_their_first_two_non_empty_lines(message: str, expected: str) -> None:
    assert parameterize_message(message) == expected


def test_long_single_words_parameterize_quickly() -> None:
    # Patterns are anchored so long runs stay linear; backtracking from every position takes seconds.
    started = time.perf_counter()
    for word in ("a" * 20_000, "b:" * 10_000, "c-" * 10_000):
        assert parameterize_message(word) == word
    assert time.perf_counter() - started < 1.0

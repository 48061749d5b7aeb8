"""PII scrubbing: sensitive keys at any depth, card numbers and US SSNs inside text."""

from __future__ import annotations

from typing import Any

import pytest
from heron_monitoring.scrubbing import (
    FILTERED,
    is_sensitive_key,
    luhn_valid,
    mask_sensitive_text,
    scrub_event,
    scrub_query_string,
    scrub_value,
)


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "new_password",
        "passwd",
        "api_key",
        "apiKey",
        "API-KEY",
        "apikey",
        "X-Api-Key",
        "token",
        "access_token",
        "accessToken",
        "refresh-token",
        "secret",
        "client_secret",
        "ssn",
        "user_ssn",
        "credit_card",
        "creditCardNumber",
        "card_number",
        "cvv",
        "Authorization",
        "Cookie",
        "session",
    ],
)
def test_sensitive_keys_are_recognized_in_their_common_spellings(key: str) -> None:
    assert is_sensitive_key(key)


@pytest.mark.parametrize("key", ["username", "email", "plan", "lessons", "passes", "card_count", "cart_total", "id"])
def test_ordinary_keys_are_not_sensitive(key: str) -> None:
    assert not is_sensitive_key(key)


@pytest.mark.parametrize(
    "number", ["4111111111111111", "5500005555555559", "378282246310005", "6011111111111117", "4222222222222"]
)
def test_test_card_numbers_pass_luhn(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("charged 4111111111111111 ok", f"charged {FILTERED} ok"),
        ("charged 4111 1111 1111 1111.", f"charged {FILTERED}."),
        ("amex 3782-822463-10005", f"amex {FILTERED}"),
        ("card=5500-0055-5555-5559&x=1", f"card={FILTERED}&x=1"),
        ("ssn 123-45-6789, ok", f"ssn {FILTERED}, ok"),
        ("'4111111111111111'", f"'{FILTERED}'"),
    ],
)
def test_card_numbers_and_ssns_inside_text_are_masked(text: str, masked: str) -> None:
    assert mask_sensitive_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "order 4111111111111112",  # fails the Luhn check
        "4111 1111 1111 1112",
        "at 1718000000000 ms",  # a millisecond timestamp: no card starts with 1
        "ratio 0.4111111111111111",  # digits of a fraction
        "id 41111111111111110",  # 17 digits, Luhn-invalid
        "tracking 94111111111111111111",  # longer than any card
        "ssn 000-12-3456 and 666-12-3456 and 912-34-5678",  # never issued
        "phone 555-123-4567, date 2024-01-15",
        "no digits here",
    ],
)
def test_numbers_that_are_not_cards_or_ssns_are_left_alone(text: str) -> None:
    assert mask_sensitive_text(text) == text


def test_sensitive_keys_are_masked_at_any_depth() -> None:
    value = {
        "plan": "pro",
        "billing": {"card_number": "4111111111111111", "history": [{"api_key": "sk_live_1", "amount": 10}]},
        "password": {"old": "a", "new": "b"},
    }
    assert scrub_value(value) == {
        "plan": "pro",
        "billing": {"card_number": FILTERED, "history": [{"api_key": FILTERED, "amount": 10}]},
        "password": FILTERED,
    }


def test_name_value_pairs_are_scrubbed_like_keys() -> None:
    headers = [["Authorization", "Bearer abc"], ["Accept", "text/html"]]
    assert scrub_value(headers) == [["Authorization", FILTERED], ["Accept", "text/html"]]


def test_query_strings_lose_sensitive_parameter_values() -> None:
    assert scrub_query_string("token=abc&page=2") == "token=%5BFiltered%5D&page=2"
    assert scrub_query_string("page=2&q=garden") == "page=2&q=garden"
    assert scrub_value({"query_string": "api_key=k1&q=x"}) == {"query_string": "api_key=%5BFiltered%5D&q=x"}


def test_the_input_is_not_modified() -> None:
    data = {"password": "hunter2", "items": [{"token": "t"}]}
    scrub_value(data)
    assert data == {"password": "hunter2", "items": [{"token": "t"}]}


def test_a_cyclic_structure_is_cut_at_the_depth_limit() -> None:
    cycle: dict[str, Any] = {"name": "loop"}
    cycle["self"] = cycle
    scrubbed = scrub_value(cycle)
    depth = 0
    while isinstance(scrubbed, dict):
        scrubbed = scrubbed["self"]
        depth += 1
    assert scrubbed == FILTERED
    assert depth == 20


def test_a_huge_structure_is_scrubbed_whole() -> None:
    rows = [{"id": number, "secret": "s"} for number in range(100_000)]
    scrubbed = scrub_value({"rows": rows})
    assert len(scrubbed["rows"]) == 100_000
    assert {row["secret"] for row in scrubbed["rows"]} == {FILTERED}


def test_an_event_is_scrubbed_everywhere_the_user_puts_data() -> None:
    event = {
        "event_id": "4111111111111111aaaaaaaaaaaaaaaa",
        "message": "payment for 4111 1111 1111 1111 failed",
        "extra": {"card_number": "4111111111111111"},
        "contexts": {"payment": {"client_secret": "pi_123_secret_456"}},
        "request": {
            "data": {"password": "hunter2", "plan": "pro"},
            "headers": {"X-Api-Key": "k1", "Accept": "*/*"},
            "cookies": {"session": "abc", "theme": "dark"},
            "query_string": "access_token=t1&page=1",
        },
        "breadcrumbs": {"values": [{"message": "login", "data": {"ssn": "123-45-6789"}}]},
        "exception": {
            "values": [{"stacktrace": {"frames": [{"vars": {"passwd": "'hunter2'", "note": "'ssn 123-45-6789'"}}]}}]
        },
    }
    scrubbed = scrub_event(event)
    assert scrubbed["event_id"] == event["event_id"]
    assert scrubbed["message"] == f"payment for {FILTERED} failed"
    assert scrubbed["extra"] == {"card_number": FILTERED}
    assert scrubbed["contexts"] == {"payment": {"client_secret": FILTERED}}
    assert scrubbed["request"] == {
        "data": {"password": FILTERED, "plan": "pro"},
        "headers": {"X-Api-Key": FILTERED, "Accept": "*/*"},
        "cookies": {"session": FILTERED, "theme": "dark"},
        "query_string": "access_token=%5BFiltered%5D&page=1",
    }
    assert scrubbed["breadcrumbs"]["values"][0]["data"] == {"ssn": FILTERED}
    frame = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert frame["vars"] == {"passwd": FILTERED, "note": f"'ssn {FILTERED}'"}

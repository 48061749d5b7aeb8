"""PII scrubbing of what is sent: values under sensitive keys, and card numbers and US SSNs inside any text.

Pure functions over JSON-like values. They build new containers rather than editing in place, because a
breadcrumb's `data` is often a live object of the application.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

FILTERED = "[Filtered]"

# Containers nested deeper than this are replaced by FILTERED: a cyclic structure ends here, and nothing this
# deep is read by anyone.
MAX_DEPTH = 20

# A key is sensitive when its words, joined and lower-cased (`X-Api-Key` -> `xapikey`), contain one of these…
SENSITIVE_PARTS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "authorization",
    "credential",
    "creditcard",
    "cardnumber",
    "ccnumber",
    "socialsecurity",
    "sessionid",
)
# …or when one of its words is one of these (too short to look for inside other words: `lessons`, `spine`).
SENSITIVE_WORDS = frozenset({"pwd", "pin", "ssn", "cvv", "cvc", "auth", "csrf", "session", "cookie"})

# Top-level fields of an event that the SDK itself fills in and that hold nothing of the user's.
PROTOCOL_FIELDS = frozenset(
    {"event_id", "timestamp", "start_timestamp", "platform", "type", "level", "sdk", "modules", "release", "dist"}
)

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# 13 to 19 digits in a row, or 4-4-4-4 (most cards) and 4-6-5 (American Express) groups split by spaces or dashes;
# not part of a longer number, a word or a decimal fraction.
_CARD = re.compile(r"(?<![\w.])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}|\d{4}([ -])\d{6}\2\d{5})(?!\w|[.,]\d)")
# Card numbers start with 2 (Mastercard), 3 (Amex, Diners, JCB), 4 (Visa), 5 (Mastercard) or 6 (Discover); this
# keeps millisecond timestamps (1…) and most identifiers apart from them.
_CARD_FIRST_DIGITS = frozenset("23456")
_SSN = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")


def is_sensitive_key(key: str) -> bool:
    """Whether the value under `key` must not be sent (`password`, `apiKey`, `X-Api-Key`, `card_number`, `ssn`…)."""
    words = [word.lower() for word in _WORD.findall(key)]
    joined = "".join(words)
    return any(part in joined for part in SENSITIVE_PARTS) or any(word in SENSITIVE_WORDS for word in words)


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum that every card number carries."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def mask_sensitive_text(text: str) -> str:
    """`text` with Luhn-valid card numbers and US social security numbers replaced by FILTERED."""
    if not any(char.isdigit() for char in text):
        return text
    return _SSN.sub(_mask_ssn, _CARD.sub(_mask_card, text))


def scrub_value(value: Any, depth: int = 0) -> Any:
    """`value` with sensitive keys' values and sensitive text masked, at any depth."""
    if isinstance(value, str):
        return mask_sensitive_text(value)
    if not isinstance(value, Mapping | list | tuple | set | frozenset):
        return value
    if depth >= MAX_DEPTH:
        return FILTERED
    if isinstance(value, Mapping):
        return {key: _scrub_entry(key, item, depth + 1) for key, item in value.items()}
    return [_scrub_item(item, depth + 1) for item in value]


def scrub_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event (error, message or transaction) with everything the user put in it scrubbed."""
    return {key: value if key in PROTOCOL_FIELDS else scrub_value(value) for key, value in event.items()}


def scrub_query_string(query: str) -> str:
    """A URL query string with the values of sensitive parameters masked."""
    pairs = parse_qsl(query, keep_blank_values=True)
    scrubbed = [(key, FILTERED if is_sensitive_key(key) else mask_sensitive_text(value)) for key, value in pairs]
    return urlencode(scrubbed) if scrubbed != pairs else mask_sensitive_text(query)


def _scrub_entry(key: object, value: Any, depth: int) -> Any:
    if isinstance(key, str) and is_sensitive_key(key):
        return FILTERED
    if key == "query_string" and isinstance(value, str):
        return scrub_query_string(value)
    return scrub_value(value, depth)


def _scrub_item(item: Any, depth: int) -> Any:
    # A `[name, value]` pair is how the protocol may send headers, cookies and query strings.
    if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str):
        if depth >= MAX_DEPTH:
            return FILTERED
        return [mask_sensitive_text(item[0]), _scrub_entry(item[0], item[1], depth + 1)]
    return scrub_value(item, depth)


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return FILTERED if digits[0] in _CARD_FIRST_DIGITS and luhn_valid(digits) else match.group()


def _mask_ssn(match: re.Match[str]) -> str:
    area, group, serial = match.groups()
    valid = area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"
    return FILTERED if valid else match.group()

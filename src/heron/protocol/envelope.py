"""Envelope framing (PROTOCOL §2.1): a JSON header line, then items of a JSON header line and a payload.

The parser walks the bytes with a cursor, never `split(b"\\n")`: payloads are binary (attachments,
gzipped replays) and may contain newlines when the item header declares a `length`. Without a `length`
(JS SDKs for every JSON item) the payload runs to the next newline or the end of the body. Payloads stay
bytes; only headers are decoded here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from heron.protocol.errors import MalformedRequest

_NEWLINE = 0x0A
# What Relay's JSON stream reader skips before a header, so blank lines between items are tolerated.
# Relay refuses blank lines after the last item ("unexpected end of file"); we accept them.
_JSON_WHITESPACE_RE = re.compile(rb"[ \t\r\n]*")
# Spelled out in both cases: an IGNORECASE class is matched several times slower, and every envelope runs it.
_HEX = "[0-9a-fA-F]"
_EVENT_ID_RE = re.compile(f"{_HEX}{{32}}|{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}")


@dataclass(slots=True)
class Item:
    """One envelope item: its header (kept whole, unknown keys included) and its raw payload."""

    headers: dict[str, Any]
    payload: bytes

    @property
    def type(self) -> str:
        """The item type (`event`, `attachment`…); "" if the header has none."""
        value = self.headers.get("type")
        return value if isinstance(value, str) else ""


@dataclass(slots=True)
class Envelope:
    """An envelope: its header (`event_id`, `sent_at`, `dsn`, `trace`…) and items in order."""

    headers: dict[str, Any]
    items: list[Item]

    @property
    def event_id(self) -> str | None:
        """The header `event_id` as 32 lowercase hex, or None."""
        return normalize_event_id(self.headers.get("event_id"))


def normalize_event_id(value: object) -> str | None:
    """A 32-hex or dashed UUID string as 32 lowercase hex characters; None for anything else."""
    if not isinstance(value, str) or not _EVENT_ID_RE.fullmatch(value):
        return None
    return value.replace("-", "").lower()


def parse_envelope(body: bytes) -> Envelope:
    """Parse envelope bytes; raises MalformedRequest with a `detail` naming the problem and the item."""
    if not body:
        raise MalformedRequest("empty request body")
    headers, position = _read_header(body, 0, "envelope header")
    if headers.get("event_id") is not None and normalize_event_id(headers["event_id"]) is None:
        raise MalformedRequest("invalid envelope header: event_id must be a UUID")
    items: list[Item] = []
    while True:
        position = _skip_whitespace(body, position)
        if position >= len(body):
            return Envelope(headers=headers, items=items)
        item, position = _read_item(body, position, len(items) + 1)
        items.append(item)


def serialize_envelope(envelope: Envelope) -> bytes:
    """Envelope bytes with an explicit `length` on every item and a newline after every payload."""
    try:
        parts = [orjson.dumps(envelope.headers), b"\n"]
        for item in envelope.items:
            headers = {**item.headers, "length": len(item.payload)}
            parts += [orjson.dumps(headers), b"\n", item.payload, b"\n"]
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise MalformedRequest(f"envelope header cannot be serialized: {exc}") from None
    return b"".join(parts)


def _read_item(body: bytes, position: int, number: int) -> tuple[Item, int]:
    """Read the item whose header starts at `position`; return it and the position after it."""
    where = f"item {number}"
    headers, payload_start = _read_header(body, position, f"item header ({where})")
    item_type = headers.get("type")
    if not isinstance(item_type, str):
        raise MalformedRequest(f"invalid item header ({where}): 'type' is required and must be a string")
    where = f"item {number} ({item_type[:40]})"
    length = headers.get("length")
    if length is None:
        newline = body.find(b"\n", payload_start)
        payload_end = newline if newline != -1 else len(body)
    elif isinstance(length, int) and not isinstance(length, bool) and length >= 0:
        payload_end = payload_start + length
        if payload_end > len(body):
            raise MalformedRequest(
                f"unexpected end of envelope in {where}: 'length' is {length} "
                f"but only {len(body) - payload_start} bytes follow"
            )
        if payload_end < len(body) and body[payload_end] != _NEWLINE:
            raise MalformedRequest(f"missing newline after the payload of {where} (is 'length' right?)")
    else:
        raise MalformedRequest(f"invalid item header ({where}): 'length' must be a non-negative integer")
    return Item(headers=headers, payload=body[payload_start:payload_end]), payload_end + 1


def _read_header(body: bytes, position: int, what: str) -> tuple[dict[str, Any], int]:
    """Decode the JSON object on the line at `position`; return it and where the next line starts."""
    start = _skip_whitespace(body, position)
    if start >= len(body):
        raise MalformedRequest(f"missing {what}")
    newline = body.find(b"\n", start)
    end = newline if newline != -1 else len(body)
    # Headers are single-line compact JSON (SDKs never pretty-print them), so the line is the header.
    try:
        headers = orjson.loads(body[start:end])
    except orjson.JSONDecodeError as exc:
        raise MalformedRequest(f"invalid {what}: {exc}") from None
    if not isinstance(headers, dict):
        raise MalformedRequest(f"invalid {what}: must be a JSON object")
    return headers, min(end + 1, len(body))


def _skip_whitespace(body: bytes, position: int) -> int:
    match = _JSON_WHITESPACE_RE.match(body, position)
    return match.end() if match else position

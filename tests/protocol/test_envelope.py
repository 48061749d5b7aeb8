from __future__ import annotations

import orjson
import pytest
from sentry_sdk.envelope import Envelope as SdkEnvelope
from sentry_sdk.envelope import Item as SdkItem
from sentry_sdk.envelope import PayloadRef

from heron.protocol.envelope import Envelope, Item, normalize_event_id, parse_envelope, serialize_envelope
from heron.protocol.errors import MalformedRequest

EVENT_ID = "b33a5f3e4c5b4c9c8f1e2d3c4b5a6978"
EVENT = b'{"message":"Hello %s world","level":"warning","event_id":"b33a5f3e4c5b4c9c8f1e2d3c4b5a6978"}'


def test_python_envelope_with_lengths_and_trailing_newline_parses() -> None:
    body = (
        b'{"event_id":"b33a5f3e4c5b4c9c8f1e2d3c4b5a6978","sent_at":"2026-11-28T11:55:32.645382Z"}\n'
        b'{"type":"event","content_type":"application/json","length":%d}\n%s\n' % (len(EVENT), EVENT)
    )
    envelope = parse_envelope(body)
    assert envelope.event_id == EVENT_ID
    assert envelope.headers["sent_at"] == "2026-11-28T11:55:32.645382Z"
    assert [(item.type, item.payload) for item in envelope.items] == [("event", EVENT)]
    assert envelope.items[0].headers["content_type"] == "application/json"


def test_js_envelope_without_lengths_or_final_newline_parses() -> None:
    body = (
        b'{"event_id":"b33a5f3e4c5b4c9c8f1e2d3c4b5a6978","sdk":{"name":"sentry.javascript.browser"}}\n'
        b'{"type":"event"}\n' + EVENT + b'\n{"type":"client_report"}\n{"discarded_events":[]}'
    )
    envelope = parse_envelope(body)
    assert [(item.type, item.payload) for item in envelope.items] == [
        ("event", EVENT),
        ("client_report", b'{"discarded_events":[]}'),
    ]


def test_sentry_cli_envelope_without_final_newline_parses() -> None:
    body = b'{"event_id":"%s"}\n{"type":"event","length":%d}\n%s' % (EVENT_ID.encode(), len(EVENT), EVENT)
    assert parse_envelope(body).items[0].payload == EVENT


def test_binary_attachment_with_newlines_and_carriage_returns_keeps_every_byte() -> None:
    payload = b"\x00\xff\r\n\n\x89PNG\r\n\x1a\n\r"
    body = (
        b'{"event_id":"%s"}\n' % EVENT_ID.encode()
        + b'{"type":"attachment","length":%d,"filename":"a.png"}\n' % len(payload)
        + payload
        + b"\n"
        + b'{"type":"event","length":%d}\n%s\n' % (len(EVENT), EVENT)
    )
    envelope = parse_envelope(body)
    assert [item.payload for item in envelope.items] == [payload, EVENT]
    assert envelope.items[0].headers["filename"] == "a.png"


def test_client_report_alone_has_no_event_id() -> None:
    report = (
        b'{"timestamp":1795867448.14,'
        b'"discarded_events":[{"reason":"ratelimit_backoff","category":"error","quantity":1}]}'
    )
    body = b'{}\n{"type":"client_report","content_type":"application/json","length":%d}\n%s\n' % (
        len(report),
        report,
    )
    envelope = parse_envelope(body)
    assert envelope.event_id is None
    assert [(item.type, item.payload) for item in envelope.items] == [("client_report", report)]


def test_envelope_built_by_the_python_sdk_parses() -> None:
    sdk_envelope = SdkEnvelope(headers={"event_id": EVENT_ID, "sent_at": "2026-11-28T11:55:32.645382Z"})
    sdk_envelope.add_event({"event_id": EVENT_ID, "message": "boom", "level": "error"})
    sdk_envelope.add_item(
        SdkItem(payload=PayloadRef(bytes=b"line 1\r\nline 2\n"), type="attachment", filename="log.txt")
    )
    sdk_envelope.add_item(SdkItem(payload=PayloadRef(json={"status": "ok"}), type="check_in"))
    envelope = parse_envelope(sdk_envelope.serialize())
    assert envelope.event_id == EVENT_ID
    assert [item.type for item in envelope.items] == ["event", "attachment", "check_in"]
    assert orjson.loads(envelope.items[0].payload)["message"] == "boom"
    assert envelope.items[1].payload == b"line 1\r\nline 2\n"
    assert envelope.items[1].headers["filename"] == "log.txt"


def test_serialized_envelope_parses_in_the_python_sdk() -> None:
    envelope = Envelope(
        headers={"event_id": EVENT_ID},
        items=[Item({"type": "event"}, EVENT), Item({"type": "attachment", "filename": "b"}, b"\n\r\x00")],
    )
    sdk_envelope = SdkEnvelope.deserialize(serialize_envelope(envelope))
    assert sdk_envelope.headers == {"event_id": EVENT_ID}
    assert [item.payload.get_bytes() for item in sdk_envelope.items] == [EVENT, b"\n\r\x00"]


def test_serialize_always_writes_length_and_round_trips() -> None:
    envelope = Envelope(headers={}, items=[Item({"type": "log", "item_count": 2}, b"a\nb")])
    body = serialize_envelope(envelope)
    assert body == b'{}\n{"type":"log","item_count":2,"length":3}\na\nb\n'
    assert parse_envelope(body).items == [Item({"type": "log", "item_count": 2, "length": 3}, b"a\nb")]


@pytest.mark.parametrize(
    ("body", "payloads"),
    [
        # Relay's JSON stream reader skips blank lines (any JSON whitespace) before a header.
        (b'{}\n{"type":"attachment","length":0}\n\n{"type":"attachment","length":0}\n', [b"", b""]),
        (b'\n\n {}\n\n\r\n{"type":"event"}\n{}\n\n\n', [b"{}"]),
        (b'{}\n{"type":"event"}', [b""]),
        (b'{}\n{"type":"event"}\n', [b""]),
        (b'{}\n{"type":"event"}\npayload\r\n', [b"payload\r"]),
        (b"{}", []),
        (b"{}\n", []),
    ],
)
def test_framing_edge_cases_parse_as_relay_does(body: bytes, payloads: list[bytes]) -> None:
    assert [item.payload for item in parse_envelope(body).items] == payloads


def test_unknown_item_types_are_kept_for_the_caller_to_skip() -> None:
    envelope = parse_envelope(b'{}\n{"type":"future_thing","extra":{"a":1}}\n{}')
    assert envelope.items == [Item({"type": "future_thing", "extra": {"a": 1}}, b"{}")]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "empty request body"),
        (b" \n\n", "missing envelope header"),
        (b"not json\n", "invalid envelope header"),
        (b"[1,2]\n", "invalid envelope header: must be a JSON object"),
        (b'{"event_id":"nope"}\n', "event_id must be a UUID"),
        (b'{"a":NaN}\n', "invalid envelope header"),
        (b'{}\n{"type":"event"', "invalid item header (item 1)"),
        (b'{}\n"event"\n{}', "invalid item header (item 1): must be a JSON object"),
        (b"{}\n{}\n{}", "'type' is required and must be a string"),
        (b'{}\n{"type":7}\n{}', "'type' is required and must be a string"),
        (b'{}\n{"type":"event","length":-1}\n', "'length' must be a non-negative integer"),
        (b'{}\n{"type":"event","length":true}\n', "'length' must be a non-negative integer"),
        (b'{}\n{"type":"event","length":"2"}\n', "'length' must be a non-negative integer"),
        (b'{}\n{"type":"event","length":2.0}\n', "'length' must be a non-negative integer"),
        (b'{}\n{"type":"event","length":10}\n{}', "unexpected end of envelope in item 1 (event)"),
        (b'{}\n{"type":"event","length":1}\n{}\n', "missing newline after the payload of item 1 (event)"),
        (b'{}\n{"type":"event"}\n{}\n{"type":"attachment","length":5}\nab', "item 2 (attachment)"),
        (b'{}\n{"type":"event"}\n{}\n\xff\xfe\n', "invalid item header (item 2)"),
    ],
)
def test_malformed_envelopes_say_what_is_wrong(body: bytes, detail: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        parse_envelope(body)
    assert detail in caught.value.detail


def test_serialize_refuses_headers_json_cannot_hold() -> None:
    with pytest.raises(MalformedRequest):
        serialize_envelope(Envelope(headers={"when": object()}, items=[]))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("B33A5F3E4C5B4C9C8F1E2D3C4B5A6978", EVENT_ID),
        ("b33a5f3e-4c5b-4c9c-8f1e-2d3c4b5a6978", EVENT_ID),
        (EVENT_ID, EVENT_ID),
        ("b33a5f3e4c5b4c9c8f1e2d3c4b5a697", None),
        ("b33a5f3e4c5b-4c9c-8f1e-2d3c4b5a6978", None),
        ("{b33a5f3e-4c5b-4c9c-8f1e-2d3c4b5a6978}", None),
        ("g33a5f3e4c5b4c9c8f1e2d3c4b5a6978", None),
        (12345, None),
        (None, None),
    ],
)
def test_normalize_event_id_accepts_hex_and_dashed_uuids(value: object, expected: str | None) -> None:
    assert normalize_event_id(value) == expected


def test_item_without_type_header_has_empty_type() -> None:
    assert Item(headers={}, payload=b"").type == ""

from __future__ import annotations

import base64
import zlib

import pytest

from heron.protocol.errors import MalformedRequest, PayloadTooLarge
from heron.protocol.store_body import decode_store_body

EVENT = b'{"event_id":"b33a5f3e4c5b4c9c8f1e2d3c4b5a6978","message":"raven says hi \xc3\xa9"}'
LIMIT = 1024 * 1024


@pytest.mark.parametrize(
    "body",
    [
        EVENT,
        b"  \n" + EVENT,
        base64.b64encode(EVENT),
        base64.urlsafe_b64encode(EVENT).rstrip(b"="),
        base64.b64encode(zlib.compress(EVENT)),
        base64.urlsafe_b64encode(zlib.compress(EVENT)).rstrip(b"="),
        base64.encodebytes(zlib.compress(EVENT)),  # wrapped at 76 characters
    ],
)
def test_raw_base64_and_base64_zlib_bodies_decode_to_the_json(body: bytes) -> None:
    assert decode_store_body(body, LIMIT).lstrip() == EVENT


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "empty request body"),
        (b" \n\t", "empty request body"),
        (b"{not json", "invalid store body"),
        (b"[1, 2]", "neither JSON nor base64"),
        (b"%%% definitely not base64 %%%", "neither JSON nor base64"),
        (base64.b64encode(b"\x00\x01 not zlib"), "base64 of neither JSON nor zlib"),
        (base64.b64encode(zlib.compress(b"[1, 2]")), "must be a JSON object"),
        (base64.b64encode(b'{"a": 1'), "invalid store body"),
        (b'{"a": 1} trailing', "invalid store body"),
    ],
)
def test_bodies_that_are_not_a_json_event_are_malformed(body: bytes, detail: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        decode_store_body(body, LIMIT)
    assert detail in caught.value.detail


@pytest.mark.parametrize(
    "body", [EVENT, base64.b64encode(EVENT), base64.b64encode(zlib.compress(EVENT))], ids=["raw", "b64", "zlib"]
)
def test_event_over_the_limit_is_refused(body: bytes) -> None:
    with pytest.raises(PayloadTooLarge):
        decode_store_body(body, len(EVENT) - 1)


def test_zlib_bomb_in_a_store_body_is_refused() -> None:
    bomb = base64.b64encode(zlib.compress(b'{"a":"' + b"a" * 5_000_000 + b'"}', 9))
    with pytest.raises(PayloadTooLarge):
        decode_store_body(bomb, LIMIT)

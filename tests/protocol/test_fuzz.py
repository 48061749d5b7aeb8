"""Whatever a client sends, the protocol answers with a value or a ProtocolError, never another exception."""

from __future__ import annotations

import base64
import gzip
import math
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import brotli
import orjson
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heron.protocol.auth import Auth, auth_from_dsn, auth_from_request, parse_sentry_auth
from heron.protocol.compression import decompress
from heron.protocol.csp import csp_report_to_event
from heron.protocol.dsn import build_dsn, parse_dsn
from heron.protocol.envelope import Envelope, Item, parse_envelope, serialize_envelope
from heron.protocol.errors import PayloadTooLarge, ProtocolError
from heron.protocol.limits import ItemLimits, check_envelope_limits
from heron.protocol.store_body import decode_store_body
from heron.protocol.timestamps import format_timestamp, parse_timestamp

T = TypeVar("T")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MiB = 1024 * 1024


def outcome(call: Callable[[], T]) -> T | ProtocolError:
    """The call's result, or the ProtocolError it raised; any other exception fails the test."""
    try:
        return call()
    except ProtocolError as exc:
        assert exc.detail
        return exc


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)
item_types = st.sampled_from(["event", "transaction", "attachment", "log", "span", "client_report", "x"]) | st.text()


@st.composite
def near_valid_envelopes(draw: st.DrawFn) -> bytes:
    """Envelope bytes as SDKs write them, then possibly damaged the ways real bodies get damaged."""
    headers: dict[str, Any] = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    if draw(st.booleans()):
        headers["event_id"] = draw(st.uuids().map(lambda u: u.hex))
    elif draw(st.integers(0, 9)) == 0:
        headers["event_id"] = draw(json_scalars)
    parts = [orjson.dumps(headers)]
    for _ in range(draw(st.integers(0, 4))):
        payload = draw(st.binary(max_size=64))
        item_headers: dict[str, Any] = {"type": draw(item_types)}
        if draw(st.integers(0, 9)) == 0:
            item_headers["type"] = draw(json_scalars)
        length = draw(
            st.sampled_from(["exact", "absent"]) | st.integers(-2, 80) | st.booleans() | st.none() | st.text()
        )
        if length == "exact":
            item_headers["length"] = len(payload)
        elif length != "absent":
            item_headers["length"] = length
        item_headers.update(draw(st.dictionaries(st.text(max_size=8), json_values, max_size=2)))
        parts += [orjson.dumps(item_headers), payload]
    body = draw(st.sampled_from([b"\n", b"\n\n", b"\r\n"])).join(parts) + draw(st.sampled_from([b"", b"\n"]))
    damage = draw(st.sampled_from(["none", "truncate", "flip"]))
    if damage == "truncate" and body:
        body = body[: draw(st.integers(0, len(body) - 1))]
    elif damage == "flip" and body:
        index = draw(st.integers(0, len(body) - 1))
        body = body[:index] + bytes([body[index] ^ draw(st.integers(1, 255))]) + body[index + 1 :]
    return body


@FUZZ
@given(st.binary(max_size=300) | near_valid_envelopes())
def test_envelope_parser_answers_an_envelope_or_a_protocol_error(body: bytes) -> None:
    envelope = outcome(lambda: parse_envelope(body))
    if isinstance(envelope, Envelope):
        assert all(isinstance(item.type, str) for item in envelope.items)
        reparsed = parse_envelope(serialize_envelope(envelope))
        assert [item.payload for item in reparsed.items] == [item.payload for item in envelope.items]
        outcome(lambda: check_envelope_limits(envelope, ItemLimits(max_event_size=40, max_attachment_size=30)))


@FUZZ
@given(
    st.dictionaries(st.text(max_size=8), json_values, max_size=3),
    st.lists(
        st.tuples(st.dictionaries(st.text(max_size=8), json_values, max_size=3), st.binary(max_size=50)), max_size=3
    ),
)
def test_serialized_envelopes_parse_back_unchanged(headers: dict[str, Any], raw_items: list[Any]) -> None:
    headers.pop("event_id", None)
    items = [Item({**item_headers, "type": "t"}, payload) for item_headers, payload in raw_items]
    serialized = outcome(lambda: serialize_envelope(Envelope(headers, items)))
    if isinstance(serialized, bytes):
        parsed = parse_envelope(serialized)
        assert parsed.headers == headers
        assert [(item.headers, item.payload) for item in parsed.items] == [
            ({**item.headers, "length": len(item.payload)}, item.payload) for item in items
        ]


auth_fragments = st.sampled_from(
    ["Sentry ", "sentry ", "Basic ", "Bearer ", "sentry_key=", "sentry_version=", "sentry_client=", ",", "=", " "]
)
auth_values = st.lists(auth_fragments | st.text(max_size=12), max_size=8).map("".join)
key_values = st.sampled_from(["0123456789abcdef0123456789abcdef", "", "a-b", "7", "\uff19"]) | st.text(max_size=8)


@FUZZ
@given(
    st.dictionaries(st.sampled_from(["x-sentry-auth", "authorization", "user-agent"]), auth_values),
    st.dictionaries(st.sampled_from(["sentry_key", "sentry_version", "sentry_client", "other"]), key_values),
)
def test_auth_answers_credentials_none_or_a_protocol_error(headers: dict[str, str], query: dict[str, str]) -> None:
    auth = outcome(lambda: auth_from_request(headers, query))
    assert auth is None or isinstance(auth, Auth | ProtocolError)
    for value in headers.values():
        outcome(lambda: parse_sentry_auth(value))  # noqa: B023 -- called immediately


@FUZZ
@given(st.text(max_size=60) | st.builds(lambda key, host: f"https://{key}@{host}/1", key_values, st.text(max_size=10)))
def test_dsns_parse_to_something_that_prints_back_or_a_protocol_error(value: str) -> None:
    dsn = outcome(lambda: parse_dsn(value))
    if not isinstance(dsn, ProtocolError):
        assert parse_dsn(str(dsn)) == dsn
    outcome(lambda: auth_from_dsn(value))


@FUZZ
@given(st.text(max_size=40), key_values, st.integers(-5, 2**64))
def test_built_dsns_parse_back_or_the_build_is_refused(base_url: str, key: str, project_id: int) -> None:
    dsn = outcome(lambda: build_dsn(base_url, key, project_id))
    if isinstance(dsn, str):
        assert parse_dsn(dsn).project_id == project_id


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}
encodings = (
    st.sampled_from([*COMPRESSORS, "identity", "", "UTF-8", "lz4", "gzip, br"]) | st.none() | st.text(max_size=8)
)


@st.composite
def encoded_bodies(draw: st.DrawFn) -> tuple[str | None, bytes]:
    encoding = draw(encodings)
    data = draw(st.binary(max_size=400))
    if encoding in COMPRESSORS and draw(st.booleans()):
        data = COMPRESSORS[encoding](data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return encoding, data


@FUZZ
@given(encoded_bodies(), st.integers(0, 500))
def test_decompress_answers_bytes_within_limit_or_a_protocol_error(case: tuple[str | None, bytes], limit: int) -> None:
    encoding, body = case
    result = outcome(lambda: decompress(body, encoding, limit))
    if isinstance(result, bytes):
        assert len(result) <= limit


timestamp_strings = st.datetimes(timezones=st.timezones() | st.none()).map(lambda moment: moment.isoformat())
timestamp_values = (
    json_scalars
    | st.floats()
    | st.integers()
    | timestamp_strings
    | st.from_regex(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?(Z|[+-]\d{2}:?\d{2})?", fullmatch=True)
    | st.lists(st.integers(), max_size=2)
)


@FUZZ
@given(timestamp_values)
def test_parse_timestamp_never_raises_and_its_results_format(value: object) -> None:
    ts = parse_timestamp(value)
    if ts is not None:
        assert math.isfinite(ts)
        assert parse_timestamp(format_timestamp(ts)) == pytest.approx(ts, abs=1e-6)


store_bodies = (
    st.binary(max_size=200)
    | json_values.map(orjson.dumps)
    | st.binary(max_size=200).map(base64.b64encode)
    | json_values.map(lambda value: base64.urlsafe_b64encode(zlib.compress(orjson.dumps(value))))
)


@FUZZ
@given(store_bodies)
def test_store_body_answers_a_json_object_or_a_protocol_error(body: bytes) -> None:
    event = outcome(lambda: decode_store_body(body, 1024))
    if isinstance(event, bytes):
        assert isinstance(orjson.loads(event), dict)


csp_values = (
    st.sampled_from(["script-src", "img-src", "style-src x.test", "inline", "eval", "self", "data", "http://a.test:1/"])
    | json_scalars
)
csp_fields = st.fixed_dictionaries(
    {"effective-directive": st.sampled_from(["script-src", "img-src", "style-src-elem", "made-up"])},
    optional={
        key: csp_values
        for key in ["violated-directive", "blocked-uri", "document-uri", "status-code", "line-number",
                    "effectiveDirective", "blockedURL", "documentURL", "referrer", "sample", "other"]
    },
)  # fmt: skip
csp_bodies = (
    st.binary(max_size=100)
    | json_values.map(orjson.dumps)
    | csp_fields.map(lambda fields: orjson.dumps({"csp-report": fields}))
    | st.lists(csp_fields.map(lambda fields: {"type": "csp-violation", "body": fields}), max_size=3).map(orjson.dumps)
)


@FUZZ
@given(csp_bodies)
def test_csp_answers_an_event_or_a_protocol_error(body: bytes) -> None:
    event = outcome(lambda: csp_report_to_event(body))
    if isinstance(event, dict):
        assert isinstance(event["logentry"]["message"], str)
        orjson.dumps(event)


TEN_GIB = 10 * 1024 * MiB
LIMIT = 8 * MiB


def gzip_bomb() -> bytes:
    """10 GiB of zeros as gzip members back to back: a valid 10 MB gzip body."""
    return gzip.compress(bytes(8 * MiB), compresslevel=1) * (TEN_GIB // (8 * MiB))


def zstd_bomb() -> bytes:
    """10 GiB of zeros as zstd frames back to back: a valid 330 KB zstd body."""
    frame: bytes = zstandard.ZstdCompressor().compress(bytes(64 * MiB))
    return frame * (TEN_GIB // (64 * MiB))


def brotli_bomb() -> bytes:
    """The first 64 MiB of a 10 GiB brotli stream of zeros: the decoder must stop long before it ends."""
    compressor = brotli.Compressor(quality=1)
    prefix: bytes = compressor.process(bytes(64 * MiB)) + compressor.flush()
    return prefix


@pytest.mark.parametrize(("encoding", "make_bomb"), [("gzip", gzip_bomb), ("zstd", zstd_bomb), ("br", brotli_bomb)])
def test_decompression_bomb_is_refused_within_a_few_mb_over_the_limit(
    encoding: str, make_bomb: Callable[[], bytes]
) -> None:
    bomb = make_bomb()
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge):
            decompress(bomb, encoding, LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < LIMIT + 4 * MiB

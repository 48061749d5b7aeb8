"""Bodies of the legacy `/api/{project_id}/store/` endpoint: one JSON event, possibly wrapped.

Old SDKs (raven-python, raven-js) send the event as raw JSON, as base64 of it, or as base64 of its zlib
compression. Relay's `decode_bytes` tells them apart the same way: a body starting with `{` is JSON,
anything else is base64, and decoded bytes that do not start with `{` are zlib.
"""

from __future__ import annotations

import base64
import binascii
import re

import orjson

from heron.protocol.compression import decompress
from heron.protocol.errors import MalformedRequest, PayloadTooLarge

# Whitespace is dropped before base64 decoding: form bodies and env vars wrap long lines.
_WHITESPACE_RE = re.compile(rb"\s+")
# The URL-safe alphabet maps onto the standard one.
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


def decode_store_body(body: bytes, limit: int) -> bytes:
    """The JSON event bytes of a store body (raw, base64 or base64+zlib), checked to be a JSON object.

    Raises PayloadTooLarge when the JSON exceeds `limit` bytes, MalformedRequest when the body is none
    of the three forms or the JSON is not an object.
    """
    stripped = body.lstrip()
    if not stripped:
        raise MalformedRequest("empty request body")
    if stripped.startswith(b"{"):
        event = stripped
    else:
        decoded = _decode_base64(stripped)
        event = decoded if decoded.lstrip().startswith(b"{") else _inflate(decoded, limit)
    if len(event) > limit:
        raise PayloadTooLarge(f"event exceeds {limit} bytes")
    try:
        parsed = orjson.loads(event)
    except orjson.JSONDecodeError as exc:
        raise MalformedRequest(f"invalid store body: {exc}") from None
    if not isinstance(parsed, dict):
        raise MalformedRequest("invalid store body: the event must be a JSON object")
    return event


def _inflate(data: bytes, limit: int) -> bytes:
    try:
        return decompress(data, "deflate", limit)
    except MalformedRequest as exc:
        raise MalformedRequest(f"invalid store body: base64 of neither JSON nor zlib ({exc.detail})") from None


def _decode_base64(data: bytes) -> bytes:
    compact = _WHITESPACE_RE.sub(b"", data).translate(_URLSAFE_TO_STANDARD).rstrip(b"=")
    # Padding is optional on input (URL-safe encoders drop it); restore it for the decoder.
    padded = compact + b"=" * (-len(compact) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except binascii.Error:
        raise MalformedRequest("invalid store body: neither JSON nor base64") from None

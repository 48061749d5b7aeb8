"""Request body decoding by `Content-Encoding`: gzip, deflate, br, zstd, and chains of them.

Every decoder works incrementally and stops as soon as the output passes `limit`, so a zip bomb costs
at most `limit` plus a few MB of memory however large it claims to be. Python SDKs send `br` (when the
`brotli` module is importable) or gzip; Node gzips large bodies; sentry-ruby sends an empty encoding and
old Android SDKs `UTF-8`, which Relay ignores and so do we.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import brotli
import zstandard

from heron.protocol.errors import MalformedRequest, PayloadTooLarge, UnsupportedEncoding

# Output produced per decompressor call: the most a bomb can overshoot `limit` by.
_OUTPUT_STEP = 256 * 1024
# Compressed input handed to zlib and brotli per call.
_INPUT_STEP = 64 * 1024
# zstd cannot cap output per call, but a 4-byte RLE block yields at most 128 KiB, so 64 input bytes
# yield at most ~2 MiB. Measured: ~25 ns per input byte, fast enough for any body we accept.
_ZSTD_INPUT_STEP = 64
# zstd allocates its window up front as the frame header asks. Levels up to 19 use at most 8 MiB;
# honest frames never need more than the output they are allowed to produce.
_ZSTD_MIN_WINDOW = 8 * 1024 * 1024
_ZSTD_MAX_WINDOW = 128 * 1024 * 1024
_IGNORED_ENCODINGS = frozenset({"", "identity", "utf-8"})


class _BoundedBuffer:
    """Collects decompressed output and refuses to grow past `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._buffer = io.BytesIO()

    def room(self) -> int:
        """How many more bytes to ask a decoder for: one past the limit, so overflow is detectable."""
        return max(1, min(_OUTPUT_STEP, self.limit - self._buffer.tell() + 1))

    def write(self, chunk: bytes) -> None:
        if self._buffer.tell() + len(chunk) > self.limit:
            raise PayloadTooLarge(f"decompressed body exceeds {self.limit} bytes")
        self._buffer.write(chunk)

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()


def decompress(body: bytes, encoding: str | None, limit: int) -> bytes:
    """Decode `body` per its Content-Encoding; raise PayloadTooLarge once the result exceeds `limit`.

    `encoding` may be a comma-separated chain (`gzip, br` = gzipped, then brotli'd), undone last first.
    None, "", "identity" and "utf-8" mean no encoding. Unknown encodings raise UnsupportedEncoding;
    corrupt or truncated data raises MalformedRequest.
    """
    decoders = [_decoder_for(name) for name in _encoding_chain(encoding)]
    data = body
    for decoder in reversed(decoders):
        buffer = _BoundedBuffer(limit)
        decoder(data, buffer)
        data = buffer.getvalue()
    if len(data) > limit:
        raise PayloadTooLarge(f"decompressed body exceeds {limit} bytes")
    return data


def _encoding_chain(encoding: str | None) -> list[str]:
    if encoding is None:
        return []
    names = (name.strip().lower() for name in encoding.split(","))
    return [name for name in names if name not in _IGNORED_ENCODINGS]


def _decoder_for(name: str) -> Callable[[bytes, _BoundedBuffer], None]:
    decoder = _DECODERS.get(name)
    if decoder is None:
        raise UnsupportedEncoding(f"unsupported content encoding {name[:40]!r}")
    return decoder


def _inflate_gzip(data: bytes, out: _BoundedBuffer) -> None:
    # A gzip body may hold several members back to back (RFC 1952 §2.2, `cat a.gz b.gz`).
    view = memoryview(data)
    offset = _inflate(view, 0, zlib.MAX_WBITS | 16, out, "gzip")
    while offset < len(view):
        offset = _inflate(view, offset, zlib.MAX_WBITS | 16, out, "gzip")


def _inflate_deflate(data: bytes, out: _BoundedBuffer) -> None:
    # HTTP "deflate" is zlib-wrapped (RFC 9110), but some clients send raw deflate; a zlib header
    # is recognisable (method 8, header checksum divisible by 31), so pick the format up front.
    is_zlib = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
    wbits = zlib.MAX_WBITS if is_zlib else -zlib.MAX_WBITS
    if _inflate(memoryview(data), 0, wbits, out, "deflate") < len(data):
        raise MalformedRequest("corrupt deflate body: trailing data after the end of the stream")


def _inflate(view: memoryview, start: int, wbits: int, out: _BoundedBuffer, name: str) -> int:
    """Inflate the zlib/gzip/raw stream at `view[start:]` into `out`; return the offset after it."""
    decompressor = zlib.decompressobj(wbits)
    position = start
    pending: bytes | memoryview = b""
    try:
        while not decompressor.eof:
            # Input goes in slices so that `unused_data` (a copy of what follows the stream) stays small.
            if not pending and position < len(view):
                pending = view[position : position + _INPUT_STEP]
                position += len(pending)
            chunk = decompressor.decompress(pending, out.room())
            out.write(chunk)
            pending = decompressor.unconsumed_tail
            # No output although output room was left, and no input left: the stream ends early.
            if not chunk and not pending and position >= len(view) and not decompressor.eof:
                raise MalformedRequest(f"corrupt {name} body: truncated")
    except zlib.error as exc:
        raise MalformedRequest(f"corrupt {name} body: {exc}") from None
    # At the end of the stream the rest of the last slice is in `unused_data` (and, if output was capped,
    # also in `unconsumed_tail`: the same bytes, so not subtracted twice).
    return position - len(decompressor.unused_data)


def _decode_brotli(data: bytes, out: _BoundedBuffer) -> None:
    decompressor = brotli.Decompressor()
    view = memoryview(data)
    try:
        for start in range(0, len(view), _INPUT_STEP):
            out.write(decompressor.process(view[start : start + _INPUT_STEP], output_buffer_limit=out.room()))
            # Output beyond the buffer limit stays inside the decompressor until drained with empty input.
            while not decompressor.is_finished():
                chunk = decompressor.process(b"", output_buffer_limit=out.room())
                if not chunk:
                    if decompressor.can_accept_more_data():
                        break
                    raise MalformedRequest("corrupt br body: decoder stalled")
                out.write(chunk)
    except brotli.error as exc:
        raise MalformedRequest(f"corrupt br body: {exc}") from None
    if not decompressor.is_finished():
        raise MalformedRequest("corrupt br body: truncated")


def _decode_zstd(data: bytes, out: _BoundedBuffer) -> None:
    window = min(max(_ZSTD_MIN_WINDOW, _next_power_of_two(out.limit)), _ZSTD_MAX_WINDOW)
    context = zstandard.ZstdDecompressor(max_window_size=window)
    view = memoryview(data)
    try:
        offset = _zstd_frame(context, view, 0, out)
        while offset < len(view):
            offset = _zstd_frame(context, view, offset, out)
    except zstandard.ZstdError as exc:
        raise MalformedRequest(f"corrupt zstd body: {exc}") from None


def _zstd_frame(context: zstandard.ZstdDecompressor, view: memoryview, start: int, out: _BoundedBuffer) -> int:
    """Decode the frame at `view[start:]` into `out`; return the offset after it."""
    # A decompressobj reports the end of its frame (`eof`), so truncation is caught, and keeps what it
    # did not use of the last slice (`unused_data`): the start of the next frame.
    frame = context.decompressobj()
    offset = start
    while not frame.eof and offset < len(view):
        out.write(frame.decompress(view[offset : offset + _ZSTD_INPUT_STEP]))
        offset = min(offset + _ZSTD_INPUT_STEP, len(view))
    if not frame.eof:
        raise MalformedRequest("corrupt zstd body: truncated")
    return offset - len(frame.unused_data)


def _next_power_of_two(value: int) -> int:
    return 1 << max(0, value - 1).bit_length()


_DECODERS: dict[str, Callable[[bytes, _BoundedBuffer], None]] = {
    "gzip": _inflate_gzip,
    "x-gzip": _inflate_gzip,
    "deflate": _inflate_deflate,
    "br": _decode_brotli,
    "zstd": _decode_zstd,
}

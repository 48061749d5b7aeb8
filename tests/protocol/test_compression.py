from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import brotli
import pytest
import zstandard

from heron.protocol.compression import decompress
from heron.protocol.errors import MalformedRequest, PayloadTooLarge, UnsupportedEncoding

BODY = b'{"event_id":"bc73bc73bc73bc73bc73bc73bc73bc73"}\n{"type":"event"}\n' + b'{"message":"hello"}' * 500


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def zstd_streamed(data: bytes) -> bytes:
    # What a streaming encoder writes: a frame whose header has no content size.
    compressor = zstandard.ZstdCompressor().compressobj()
    return compressor.compress(data) + compressor.flush()


ENCODERS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip": ("gzip", gzip.compress),
    "x-gzip": ("x-gzip", gzip.compress),
    "deflate (zlib)": ("deflate", zlib.compress),
    "deflate (raw)": ("deflate", raw_deflate),
    "br": ("br", brotli.compress),
    "zstd": ("zstd", zstandard.ZstdCompressor().compress),
    "zstd (streamed)": ("zstd", zstd_streamed),
}


@pytest.mark.parametrize("case", ENCODERS)
def test_each_encoding_decodes(case: str) -> None:
    encoding, encode = ENCODERS[case]
    assert decompress(encode(BODY), encoding, limit=len(BODY)) == BODY


@pytest.mark.parametrize("case", ENCODERS)
def test_output_over_the_limit_is_refused(case: str) -> None:
    encoding, encode = ENCODERS[case]
    with pytest.raises(PayloadTooLarge):
        decompress(encode(BODY), encoding, limit=len(BODY) - 1)


@pytest.mark.parametrize("case", ENCODERS)
def test_truncated_body_is_malformed(case: str) -> None:
    encoding, encode = ENCODERS[case]
    encoded = encode(BODY)
    with pytest.raises(MalformedRequest):
        decompress(encoded[: len(encoded) // 2], encoding, limit=10 * len(BODY))


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
@pytest.mark.parametrize("body", [b"", b"\x00" * 64, b"definitely not compressed"])
def test_corrupt_body_is_malformed(encoding: str, body: bytes) -> None:
    with pytest.raises(MalformedRequest):
        decompress(body, encoding, limit=1024)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_trailing_garbage_after_the_stream_is_malformed(encoding: str) -> None:
    encoded = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}.get(
        encoding, zstandard.ZstdCompressor().compress
    )(BODY)
    with pytest.raises(MalformedRequest):
        decompress(encoded + b"garbage", encoding, limit=10 * len(BODY))


def test_gzip_members_back_to_back_decode_as_one_body() -> None:
    assert decompress(gzip.compress(b"ab") + gzip.compress(b"cd"), "gzip", limit=4) == b"abcd"


def test_zstd_frames_back_to_back_decode_as_one_body() -> None:
    frames = zstandard.ZstdCompressor().compress(b"ab") + zstd_streamed(b"cd")
    assert decompress(frames, "zstd", limit=4) == b"abcd"


def test_encoding_chain_is_undone_last_applied_first() -> None:
    body = brotli.compress(gzip.compress(BODY))  # Content-Encoding: gzip, br
    assert decompress(body, "gzip, br", limit=len(BODY)) == BODY


@pytest.mark.parametrize("encoding", [None, "", "identity", "IDENTITY", "UTF-8", " utf-8 ", " , identity"])
def test_no_encoding_leaves_the_body_unchanged(encoding: str | None) -> None:
    assert decompress(BODY, encoding, limit=len(BODY)) == BODY


def test_encoding_names_ignore_case_and_whitespace() -> None:
    assert decompress(gzip.compress(BODY), "  GZip ", limit=len(BODY)) == BODY


def test_unencoded_body_over_the_limit_is_refused() -> None:
    with pytest.raises(PayloadTooLarge):
        decompress(BODY, None, limit=len(BODY) - 1)


@pytest.mark.parametrize("encoding", ["compress", "lz4", "gzip, lz4", "zstd,snappy"])
def test_unknown_encoding_is_unsupported(encoding: str) -> None:
    with pytest.raises(UnsupportedEncoding) as caught:
        decompress(gzip.compress(BODY), encoding, limit=len(BODY))
    assert caught.value.status == 415

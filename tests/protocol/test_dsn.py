from __future__ import annotations

import re

import pytest
from sentry_sdk.utils import Dsn as SdkDsn

from heron.protocol.dsn import Dsn, build_dsn, parse_dsn
from heron.protocol.errors import MalformedRequest

# @sentry/core dsn.ts DSN_REGEX, which every browser and Node SDK runs on the DSN it is given.
JS_DSN_REGEX = re.compile(r"^(?:(\w+):)//(?:(\w+)(?::(\w+)?)?@)([\w.-]+)(?::(\d+))?/(.+)", re.ASCII)
KEY = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"http://{KEY}@127.0.0.1:8000/1", Dsn("http", KEY, None, "127.0.0.1", 8000, "", 1)),
        (f"https://{KEY}@errors.example.com/42", Dsn("https", KEY, None, "errors.example.com", None, "", 42)),
        (
            f"https://{KEY}@errors.example.com/heron/42",
            Dsn("https", KEY, None, "errors.example.com", None, "/heron", 42),
        ),
        (f"https://{KEY}:secret@o1.example.com/7", Dsn("https", KEY, "secret", "o1.example.com", None, "", 7)),
        # Relay's own examples end the user info with an empty secret.
        (f"https://{KEY}:@sentry.io/42", Dsn("https", KEY, None, "sentry.io", None, "", 42)),
        (f"  https://{KEY}@[::1]:9000/a/b/3  ", Dsn("https", KEY, None, "::1", 9000, "/a/b", 3)),
    ],
)
def test_parse_dsn_reads_every_part(value: str, expected: Dsn) -> None:
    assert parse_dsn(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        f"http://{KEY}@127.0.0.1:8000/1",
        f"https://{KEY}:secret@errors.example.com/heron/42",
        f"https://{KEY}@[::1]:9000/3",
    ],
)
def test_dsn_str_gives_the_dsn_back(value: str) -> None:
    assert str(parse_dsn(value)) == value


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("", "empty"),
        (f"ftp://{KEY}@example.com/1", "scheme must be http or https"),
        ("https://example.com/1", "missing public key"),
        ("https://pub-key@example.com/1", "public key must be"),
        (f"https://{KEY}@/1", "missing host"),
        (f"https://{KEY}@example.com:port/1", "bad port"),
        (f"https://{KEY}@example.com", "numeric project id"),
        (f"https://{KEY}@example.com/1/", "numeric project id"),
        (f"https://{KEY}@example.com/project", "numeric project id"),
        (f"https://{KEY}@example.com/{2**63}", "out of range"),
        (f"https://{KEY}@[::1/1", "invalid DSN"),
    ],
)
def test_parse_dsn_rejects_malformed_dsns(value: str, detail: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        parse_dsn(value)
    assert detail in caught.value.detail


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://127.0.0.1:8000", f"http://{KEY}@127.0.0.1:8000/5"),
        ("http://127.0.0.1:8000/", f"http://{KEY}@127.0.0.1:8000/5"),
        ("https://errors.example.com/heron/", f"https://{KEY}@errors.example.com/heron/5"),
        ("https://errors.example.com//heron//x/", f"https://{KEY}@errors.example.com/heron/x/5"),
        ("HTTPS://Errors.Example.COM:443", f"https://{KEY}@errors.example.com:443/5"),
    ],
)
def test_build_dsn_keeps_the_path_prefix_without_double_slashes(base_url: str, expected: str) -> None:
    assert build_dsn(base_url, KEY, 5) == expected


@pytest.mark.parametrize(
    "base_url", ["http://localhost:8000", "https://errors.example.com/heron/", "http://10.0.0.7/a/b"]
)
def test_built_dsn_parses_in_the_python_and_js_sdks(base_url: str) -> None:
    dsn = build_dsn(base_url, KEY, 12)
    sdk = SdkDsn(dsn)
    assert (sdk.public_key, sdk.project_id) == (KEY, "12")
    js = JS_DSN_REGEX.match(dsn)
    assert js is not None
    assert js.group(2) == KEY
    assert js.group(6).split("/")[-1] == "12"
    assert parse_dsn(dsn).project_id == 12


@pytest.mark.parametrize(
    ("base_url", "public_key", "project_id", "detail"),
    [
        ("ftp://example.com", KEY, 1, "scheme"),
        ("http://[::1]:8000", KEY, 1, "JavaScript SDK"),
        ("http://user:pw@example.com", KEY, 1, "credentials"),
        ("http://example.com/?x=1", KEY, 1, "query or fragment"),
        ("http://example.com", "not-hex", 1, "public key"),
        ("http://example.com", KEY, -1, "project id"),
        ("http://example.com", KEY, True, "project id"),
    ],
)
def test_build_dsn_refuses_what_an_sdk_could_not_parse(
    base_url: str, public_key: str, project_id: int, detail: str
) -> None:
    with pytest.raises(MalformedRequest) as caught:
        build_dsn(base_url, public_key, project_id)
    assert detail in caught.value.detail


def test_the_envelope_url_keeps_port_prefix_and_ipv6_brackets() -> None:
    assert parse_dsn("http://k@127.0.0.1:8000/heron/7").envelope_url == "http://127.0.0.1:8000/heron/api/7/envelope/"
    assert parse_dsn("https://k@errors.example.com/3").envelope_url == "https://errors.example.com/api/3/envelope/"
    assert parse_dsn("http://k@[::1]:8000/7").envelope_url == "http://[::1]:8000/api/7/envelope/"

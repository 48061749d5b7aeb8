from __future__ import annotations

import base64

import pytest

from heron.protocol.auth import Auth, auth_from_dsn, auth_from_request, parse_sentry_auth
from heron.protocol.errors import AuthError, MalformedRequest

KEY = "0123456789abcdef0123456789abcdef"
OTHER_KEY = "fedcba9876543210fedcba9876543210"
PYTHON_HEADER = f"Sentry sentry_key={KEY}, sentry_version=7, sentry_client=sentry.python/2.75.0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PYTHON_HEADER, Auth(KEY, "sentry.python/2.75.0", 7)),
        (f"sentry sentry_key={KEY}", Auth(KEY)),
        (f"  SENTRY   sentry_version = 7 ,sentry_key={KEY} ,  ", Auth(KEY, None, 7)),
        (f"Sentry sentry_key={KEY}, sentry_secret=s, sentry_timestamp=1, whatever=x", Auth(KEY)),
        (f"Sentry\tsentry_key={KEY},sentry_client=raven-js/3.0", Auth(KEY, "raven-js/3.0")),
    ],
)
def test_parse_sentry_auth_reads_key_client_and_version(value: str, expected: Auth) -> None:
    assert parse_sentry_auth(value) == expected


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (f"Bearer sentry_key={KEY}", "'Sentry' scheme"),
        (f"sentry_key={KEY}", "'Sentry' scheme"),
        ("Sentry sentry_version=7", "missing sentry_key"),
        ("Sentry sentry_key=, sentry_version=7", "missing sentry_key"),
        ("Sentry sentry_key=pub-key", "invalid sentry_key"),
        (f"Sentry sentry_key={KEY}, sentry_version=seven", "invalid sentry_version"),
    ],
)
def test_parse_sentry_auth_refuses_missing_or_malformed_keys(value: str, detail: str) -> None:
    with pytest.raises(AuthError) as caught:
        parse_sentry_auth(value)
    assert detail in caught.value.detail


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"x-sentry-auth": PYTHON_HEADER}, {}, Auth(KEY, "sentry.python/2.75.0", 7)),
        ({"authorization": PYTHON_HEADER}, {}, Auth(KEY, "sentry.python/2.75.0", 7)),
        ({"authorization": basic(f"{KEY}:ignored")}, {}, Auth(KEY)),
        (
            {},
            {"sentry_key": KEY, "sentry_version": "7", "sentry_client": "sentry.javascript.browser/8.0.0"},
            Auth(KEY, "sentry.javascript.browser/8.0.0", 7),
        ),
        # Several sources that agree are accepted, completing each other.
        ({"x-sentry-auth": f"Sentry sentry_key={KEY}"}, {"sentry_key": KEY, "sentry_version": "7"}, Auth(KEY, None, 7)),
    ],
)
def test_auth_from_request_finds_the_key_wherever_sdks_put_it(
    headers: dict[str, str], query: dict[str, str], expected: Auth
) -> None:
    assert auth_from_request(headers, query) == expected


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({}, {}),
        ({"authorization": "Bearer sntrys_token"}, {}),
        ({"user-agent": "sentry.python/2.75.0"}, {"sentry_release": "1.0"}),
    ],
)
def test_auth_from_request_without_sentry_auth_is_none(headers: dict[str, str], query: dict[str, str]) -> None:
    assert auth_from_request(headers, query) is None


def test_auth_sources_naming_different_keys_are_refused() -> None:
    with pytest.raises(AuthError, match="multiple authorization payloads detected"):
        auth_from_request({"x-sentry-auth": PYTHON_HEADER}, {"sentry_key": OTHER_KEY})


def test_protocol_version_above_8_is_unsupported() -> None:
    with pytest.raises(MalformedRequest, match="unsupported protocol version"):
        auth_from_request({}, {"sentry_key": KEY, "sentry_version": "9"})


@pytest.mark.parametrize(
    ("headers", "query", "detail"),
    [
        ({}, {"sentry_key": ""}, "missing sentry_key in query string"),
        ({}, {"sentry_key": "a b"}, "invalid sentry_key in query string"),
        ({"authorization": "Basic !!!"}, {}, "invalid basic authorization"),
        ({"authorization": basic(":secret")}, {}, "missing sentry_key in basic authorization"),
        ({"x-sentry-auth": "Token abc"}, {}, "'Sentry' scheme"),
    ],
)
def test_auth_from_request_refuses_malformed_credentials(
    headers: dict[str, str], query: dict[str, str], detail: str
) -> None:
    with pytest.raises(AuthError) as caught:
        auth_from_request(headers, query)
    assert detail in caught.value.detail


def test_auth_from_dsn_reads_the_envelope_dsn_header() -> None:
    assert auth_from_dsn(f"https://{KEY}@errors.example.com/heron/3") == Auth(KEY)


def test_auth_from_unparseable_dsn_is_an_auth_error() -> None:
    with pytest.raises(AuthError, match="invalid envelope dsn header"):
        auth_from_dsn("not a dsn")


@pytest.mark.parametrize("version", ["1_0", "\u0667", "-7", "7.0", "9" * 20])
def test_sentry_version_must_be_plain_digits(version: str) -> None:
    with pytest.raises(AuthError, match="invalid sentry_version"):
        auth_from_request({}, {"sentry_key": KEY, "sentry_version": version})

"""Who is sending: the public key (and SDK name/protocol version) of an ingest request.

SDKs authenticate in one of four places (PROTOCOL §1.3): `X-Sentry-Auth`, `Authorization: Sentry …`,
`Authorization: Basic …` (OTLP exporters) or the query string (browser and Node SDKs, to avoid CORS
preflights). Relay refuses a request carrying more than one; we accept several when they name the same
key, because a proxy adding a header to a browser request should not break ingestion.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from heron.protocol.dsn import PUBLIC_KEY_RE, parse_dsn
from heron.protocol.errors import AuthError, MalformedRequest

# The newest protocol version Relay accepts; SDKs send 7.
MAX_PROTOCOL_VERSION = 8


@dataclass(frozen=True, slots=True)
class Auth:
    """The credentials of one request: a public key, optionally the SDK (`sentry_client`) and version."""

    public_key: str
    client: str | None = None
    version: int | None = None


def parse_sentry_auth(value: str) -> Auth:
    """Parse `Sentry sentry_key=…, sentry_version=7, sentry_client=…` (prefix case-insensitive).

    Pairs are comma-separated and whitespace-trimmed; unknown keys (`sentry_secret`, `sentry_timestamp`…)
    are ignored. Raises AuthError when the prefix or the key is missing or invalid.

    An SDK sends the same header with every request, so the last few hundred are remembered (an `Auth` is
    immutable; a header that fails is parsed again each time, and fails again).
    """
    return _remembered_sentry_auth(value)


def _parse_sentry_auth(value: str) -> Auth:
    scheme, rest = _split_scheme(value)
    if scheme != "sentry":
        raise AuthError("invalid authorization header: expected the 'Sentry' scheme")
    pairs: dict[str, str] = {}
    for pair in rest.split(","):
        name, _, pair_value = pair.strip().partition("=")
        pairs.setdefault(name.strip(), pair_value.strip())
    return _auth_from_pairs(pairs, "authorization header")


_remembered_sentry_auth = lru_cache(maxsize=256)(_parse_sentry_auth)


def auth_from_request(headers: Mapping[str, str], query: Mapping[str, str]) -> Auth | None:
    """The request's credentials, or None when it carries none (the caller answers 401 then).

    `headers` must have lower-cased names. Several sources naming different keys raise AuthError
    ("multiple authorization payloads detected"); a `sentry_version` above 8 raises MalformedRequest.
    """
    found: list[Auth] = []
    x_sentry_auth = headers.get("x-sentry-auth")
    if x_sentry_auth is not None:
        found.append(parse_sentry_auth(x_sentry_auth))
    authorization = headers.get("authorization", "")
    scheme, credentials = _split_scheme(authorization)
    if scheme == "sentry":
        found.append(parse_sentry_auth(authorization))
    elif scheme == "basic":
        found.append(_parse_basic(credentials))
    # Other schemes (Bearer…) belong to whatever sits in front of us and are not Sentry auth.
    if "sentry_key" in query:
        found.append(_auth_from_pairs(query, "query string"))
    if not found:
        return None
    if len({auth.public_key for auth in found}) > 1:
        raise AuthError("multiple authorization payloads detected")
    merged = Auth(
        public_key=found[0].public_key,
        client=next((auth.client for auth in found if auth.client), None),
        version=next((auth.version for auth in found if auth.version is not None), None),
    )
    if merged.version is not None and merged.version > MAX_PROTOCOL_VERSION:
        raise MalformedRequest("unsupported protocol version")
    return merged


def auth_from_dsn(dsn: str) -> Auth:
    """Credentials from the envelope header `dsn` (used by JS `tunnel` setups); AuthError if unparseable."""
    try:
        parsed = parse_dsn(dsn)
    except MalformedRequest as exc:
        raise AuthError(f"invalid envelope dsn header: {exc.detail}") from None
    return Auth(public_key=parsed.public_key)


def _split_scheme(value: str) -> tuple[str, str]:
    """`"Sentry  a=b, c=d"` -> `("sentry", "a=b, c=d")`: the lower-cased scheme and the rest."""
    parts = value.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ""


def _parse_basic(credentials: str) -> Auth:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise AuthError("invalid basic authorization: not base64 of 'public_key:secret'") from None
    return Auth(public_key=_check_key(decoded.partition(":")[0], "basic authorization"))


def _auth_from_pairs(pairs: Mapping[str, str], source: str) -> Auth:
    public_key = _check_key(pairs.get("sentry_key", ""), source)
    client = pairs.get("sentry_client") or None
    raw_version = (pairs.get("sentry_version") or "").strip()
    version = None
    if raw_version:
        # Plain ASCII digits only: int() would also take "1_0" or Arabic-Indic digits.
        if not (raw_version.isascii() and raw_version.isdigit() and len(raw_version) <= 9):
            raise AuthError(f"invalid sentry_version in {source}: {raw_version[:20]!r}")
        version = int(raw_version)
    return Auth(public_key=public_key, client=client, version=version)


def _check_key(key: str, source: str) -> str:
    key = key.strip()
    if not key:
        raise AuthError(f"missing sentry_key in {source}")
    if not PUBLIC_KEY_RE.fullmatch(key):
        raise AuthError(f"invalid sentry_key in {source}: must be letters, digits or underscores")
    return key

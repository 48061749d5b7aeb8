"""DSNs: `{scheme}://{public_key}[:{secret}]@{host}[:{port}]{/path_prefix}/{project_id}`.

We parse what SDKs put in the envelope `dsn` header and issue DSNs that every SDK can parse: the Python
SDK wants an integer project id and keeps the path prefix; the JS SDK's regex wants the key and host to be
`\\w+` / `[\\w.-]+`. Keys we issue are 32 lowercase hex characters, which satisfies both and Relay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from heron.protocol.errors import MalformedRequest

PUBLIC_KEY_RE = re.compile(r"\w+", re.ASCII)
# The JS SDK's host group; IPv6 literals and other exotic hosts would make its DSN regex fail.
_JS_HOST_RE = re.compile(r"[\w.-]+", re.ASCII)
# Project ids end up in a signed 64-bit database column.
_MAX_PROJECT_ID = 2**63 - 1
_SCHEMES = ("http", "https")


@dataclass(frozen=True, slots=True)
class Dsn:
    """A parsed DSN. `path_prefix` is "" or starts with "/" and never ends with "/"."""

    scheme: str
    public_key: str
    secret_key: str | None
    host: str
    port: int | None
    path_prefix: str
    project_id: int

    def __str__(self) -> str:
        secret = f":{self.secret_key}" if self.secret_key else ""
        return f"{self.scheme}://{self.public_key}{secret}@{self._host_and_port()}{self.path_prefix}/{self.project_id}"

    @property
    def envelope_url(self) -> str:
        """Where an SDK posts envelopes for this DSN."""
        return f"{self.scheme}://{self._host_and_port()}{self.path_prefix}/api/{self.project_id}/envelope/"

    def _host_and_port(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port is not None else host


def parse_dsn(value: str) -> Dsn:
    """Parse a DSN string; raises MalformedRequest saying what is wrong with it."""
    if not isinstance(value, str) or not value.strip():
        raise MalformedRequest("invalid DSN: empty")
    parts = _split_url(value.strip(), "DSN")
    if parts.username is None or parts.username == "":
        raise MalformedRequest("invalid DSN: missing public key")
    public_key = parts.username
    if not PUBLIC_KEY_RE.fullmatch(public_key):
        raise MalformedRequest("invalid DSN: public key must be letters, digits or underscores")
    host, port = _host_and_port(parts, "DSN")
    prefix, _, last = parts.path.rpartition("/")
    if not last.isascii() or not last.isdigit():
        raise MalformedRequest("invalid DSN: the path must end with a numeric project id")
    project_id = int(last)
    if project_id > _MAX_PROJECT_ID:
        raise MalformedRequest("invalid DSN: project id out of range")
    return Dsn(
        scheme=parts.scheme,
        public_key=public_key,
        secret_key=parts.password or None,
        host=host,
        port=port,
        path_prefix=_clean_prefix(prefix),
        project_id=project_id,
    )


def build_dsn(base_url: str, public_key: str, project_id: int) -> str:
    """The DSN a project key is issued with, for a server reachable at `base_url`.

    `base_url` is like `http://127.0.0.1:8000` or `https://errors.example.com/heron/`; its path becomes
    the DSN's path prefix. Raises MalformedRequest when the result would not parse in every SDK.
    """
    parts = _split_url(base_url.strip(), "base URL")
    if parts.username is not None or parts.password is not None:
        raise MalformedRequest("invalid base URL: it must not contain credentials")
    if parts.query or parts.fragment:
        raise MalformedRequest("invalid base URL: it must not have a query or fragment")
    host, port = _host_and_port(parts, "base URL")
    if not _JS_HOST_RE.fullmatch(host):
        raise MalformedRequest("invalid base URL: the JavaScript SDK only accepts host names and IPv4 hosts")
    if not PUBLIC_KEY_RE.fullmatch(public_key):
        raise MalformedRequest("invalid public key: must be letters, digits or underscores")
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        raise MalformedRequest("invalid project id: must be an integer")
    if not 0 <= project_id <= _MAX_PROJECT_ID:
        raise MalformedRequest("invalid project id: out of range")
    dsn = Dsn(parts.scheme, public_key, None, host, port, _clean_prefix(parts.path), project_id)
    return str(dsn)


def _split_url(value: str, what: str) -> SplitResult:
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise MalformedRequest(f"invalid {what}: {exc}") from None
    if parts.scheme not in _SCHEMES:
        raise MalformedRequest(f"invalid {what}: scheme must be http or https")
    return parts


def _host_and_port(parts: SplitResult, what: str) -> tuple[str, int | None]:
    host = parts.hostname
    if not host:
        raise MalformedRequest(f"invalid {what}: missing host")
    try:
        port = parts.port
    except ValueError:
        raise MalformedRequest(f"invalid {what}: bad port") from None
    return host, port


def _clean_prefix(path: str) -> str:
    # Empty segments are dropped so that `https://host/heron/` or `//heron//` never yields a double slash.
    segments = [segment for segment in path.split("/") if segment]
    return "".join(f"/{segment}" for segment in segments)

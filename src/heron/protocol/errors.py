"""Errors the protocol raises; each carries the HTTP status and the `detail` a client is answered with."""

from __future__ import annotations


class ProtocolError(Exception):
    """A request the Sentry protocol refuses. `status` is the HTTP status Relay answers with."""

    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MalformedRequest(ProtocolError):
    """Unparseable envelope, JSON, body or header (400)."""

    status = 400


class AuthError(ProtocolError):
    """Missing, invalid or ambiguous authentication (401)."""

    status = 401


class PayloadTooLarge(ProtocolError):
    """A body, envelope or item over its size limit (413)."""

    status = 413


class UnsupportedEncoding(ProtocolError):
    """A Content-Encoding we cannot decode (415)."""

    status = 415

"""The ingest ASGI app: routes, body reading with a hard cap, CORS as Relay does it, errors as JSON.

It is plain ASGI (no framework routing) because every event passes through here.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import orjson

from heron.ingest.accept import Ingestor, IngestRequest, RateLimited
from heron.protocol.errors import PayloadTooLarge, ProtocolError

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

ROUTE = re.compile(r"^/+api/+(\d+)/+(envelope|store|security|csp-report)/?$")

CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"x-sentry-error, x-sentry-rate-limits, retry-after"),
    (b"cross-origin-resource-policy", b"cross-origin"),
]
PREFLIGHT_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"POST"),
    (
        b"access-control-allow-headers",
        b"x-sentry-auth, x-requested-with, x-forwarded-for, origin, referer, accept, content-type, "
        b"authentication, authorization, content-encoding, transfer-encoding",
    ),
    (b"access-control-max-age", b"3600"),
]


def is_ingest_path(path: str) -> bool:
    """Whether a request path belongs to ingest rather than the web app or API."""
    return ROUTE.match(path) is not None


class IngestApp:
    """ASGI app for `/api/{project_id}/envelope|store|security|csp-report/`."""

    def __init__(self, ingestor: Ingestor, max_body_size: int, trust_x_forwarded_for: bool) -> None:
        self.ingestor = ingestor
        self.max_body_size = max_body_size
        self.trust_x_forwarded_for = trust_x_forwarded_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = ROUTE.match(scope["path"])
        if match is None:
            await _respond(send, 404, {"detail": "not found"})
            return
        method = scope["method"]
        if method == "OPTIONS":
            await send({"type": "http.response.start", "status": 200, "headers": PREFLIGHT_HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return
        if method != "POST":
            await _respond(send, 405, {"detail": "method not allowed"}, [(b"allow", b"POST, OPTIONS")])
            return
        try:
            request = IngestRequest(
                project_id=int(match.group(1)),
                body=await _read_body(receive, self.max_body_size),
                headers={name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]},
                query=dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))),
                client_ip=self._client_ip(scope),
            )
            endpoint = match.group(2)
            if endpoint == "envelope":
                event_id = await self.ingestor.accept_envelope(request)
            elif endpoint == "store":
                event_id = await self.ingestor.accept_store(request)
            else:
                event_id = await self.ingestor.accept_security_report(request)
        except RateLimited as exc:
            await _respond(
                send,
                429,
                {"detail": exc.detail},
                [
                    (b"retry-after", str(exc.retry_after).encode()),
                    (b"x-sentry-rate-limits", exc.rate_limits_header.encode()),
                ],
            )
            return
        except ProtocolError as exc:
            await _respond(send, exc.status, {"detail": exc.detail}, [(b"x-sentry-error", _header_safe(exc.detail))])
            return
        await _respond(send, 200, {"id": event_id} if event_id else {})

    def _client_ip(self, scope: Scope) -> str | None:
        if self.trust_x_forwarded_for:
            for name, value in scope["headers"]:
                if name.lower() == b"x-forwarded-for":
                    first: str = value.decode("latin-1").split(",")[0].strip()
                    if first:
                        return first
        client = scope.get("client")
        return str(client[0]) if client else None


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ProtocolError("client disconnected")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body exceeds {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(
    send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = orjson.dumps(body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *CORS_HEADERS,
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _header_safe(text: str) -> bytes:
    return text.encode("ascii", "replace").replace(b"\r", b" ").replace(b"\n", b" ")[:500]

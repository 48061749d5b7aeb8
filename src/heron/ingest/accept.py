"""Accepting one ingest request: authenticate, limit, frame, spool. No SQL on the main database here."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson

from heron.ingest.keys import KeyCache, KeyInfo
from heron.ingest.ratelimit import RateLimiter
from heron.protocol.auth import Auth, auth_from_dsn, auth_from_request
from heron.protocol.compression import decompress
from heron.protocol.csp import csp_report_to_event
from heron.protocol.envelope import Envelope, Item, normalize_event_id, parse_envelope, serialize_envelope
from heron.protocol.errors import AuthError, ProtocolError
from heron.protocol.limits import EVENT_ITEM_TYPES, ItemLimits, check_envelope_limits, item_category
from heron.protocol.store_body import decode_store_body
from heron.queue import EnvelopeQueue, QueuedEnvelope, QueueFull, QueueUnavailable

# Envelopes that decode to at most this many bytes are spooled decoded, so the digest does not decode them again:
# for a 10 KiB error event, -40 µs of a worker's CPU against +17 µs in serve for writing ~3 times the bytes
# (docs/performance.md). Larger ones (attachments, replays) are spooled as sent, to keep the spool small.
SPOOL_DECODED_UP_TO = 64 * 1024

# Items that create an event id the client is told about.
_ID_ITEM_TYPES = frozenset({"event", "transaction", "security", "feedback", "user_report", "attachment"})


class EventRejected(ProtocolError):
    """The key or project refuses events (403)."""

    status = 403


class RateLimited(ProtocolError):
    """The whole envelope is over its key's rate limit (429)."""

    status = 429

    def __init__(self, retry_after: int, categories: list[str]) -> None:
        super().__init__("event submission rejected: rate limit exceeded")
        self.retry_after = retry_after
        self.categories = categories

    @property
    def rate_limits_header(self) -> str:
        return f"{self.retry_after}:{';'.join(self.categories)}:key:key_quota"


class Overloaded(ProtocolError):
    """The queue refuses more work (503)."""

    status = 503


@dataclass(frozen=True, slots=True)
class IngestRequest:
    """The parts of an HTTP request ingest reads."""

    project_id: int
    body: bytes
    headers: Mapping[str, str]  # lower-cased names
    query: Mapping[str, str]
    client_ip: str | None


@dataclass(slots=True)
class Ingestor:
    """Everything ingest needs, created once per process."""

    queue: EnvelopeQueue
    keys: KeyCache
    limits: ItemLimits
    max_envelope_size: int
    queue_max_depth: int
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    approximate_depth: int = 0

    async def accept_envelope(self, request: IngestRequest) -> str | None:
        """Spool an `/envelope/` request; returns the event id to answer with."""
        auth = auth_from_request(request.headers, request.query)
        encoding = request.headers.get("content-encoding")
        raw = decompress(request.body, encoding, self.max_envelope_size)
        envelope = parse_envelope(raw)
        if auth is None:
            auth = _auth_from_envelope(envelope)
        key = await self._authorize(auth, request.project_id)
        check_envelope_limits(envelope, self.limits)
        self._check_rate_limit(key, envelope)
        await self._spool(request, *spooled_form(request.body, encoding, raw))
        return _response_event_id(envelope)

    async def accept_store(self, request: IngestRequest) -> str:
        """Spool a legacy `/store/` request (one JSON event) as an envelope."""
        auth = auth_from_request(request.headers, request.query)
        if auth is None:
            raise AuthError("missing authorization information")
        raw = decompress(request.body, request.headers.get("content-encoding"), self.max_envelope_size)
        payload = decode_store_body(raw, self.limits.max_event_size)
        event_id = normalize_event_id(orjson.loads(payload).get("event_id")) or uuid.uuid4().hex
        return await self._accept_single_event(request, auth, event_id, payload)

    async def accept_security_report(self, request: IngestRequest) -> str:
        """Spool a browser CSP report (authenticated by `?sentry_key=`) as an event."""
        auth = auth_from_request(request.headers, request.query)
        if auth is None:
            raise AuthError("missing authorization information")
        raw = decompress(request.body, request.headers.get("content-encoding"), self.limits.max_event_size)
        event = csp_report_to_event(raw)
        event_id = uuid.uuid4().hex
        event["event_id"] = event_id
        user_agent = request.headers.get("user-agent")
        if user_agent:
            event.setdefault("request", {})["headers"] = [["User-Agent", user_agent]]
        return await self._accept_single_event(request, auth, event_id, orjson.dumps(event))

    async def _accept_single_event(self, request: IngestRequest, auth: Auth, event_id: str, payload: bytes) -> str:
        envelope = Envelope(headers={"event_id": event_id}, items=[Item(headers={"type": "event"}, payload=payload)])
        key = await self._authorize(auth, request.project_id)
        check_envelope_limits(envelope, self.limits)
        self._check_rate_limit(key, envelope)
        await self._spool(request, serialize_envelope(envelope), None)
        return event_id

    async def _authorize(self, auth: Auth, project_id: int) -> KeyInfo:
        key = await self.keys.get(auth.public_key)
        if key is None:
            raise AuthError("unknown public key")
        if not key.is_active:
            raise EventRejected("event submission rejected with_reason: DisabledKey")
        if key.project_id != project_id:
            raise EventRejected("event submission rejected with_reason: ProjectId")
        return key

    def _check_rate_limit(self, key: KeyInfo, envelope: Envelope) -> None:
        if not any(item.type in EVENT_ITEM_TYPES for item in envelope.items):
            return  # sessions, client reports and the like never count against a key's event quota
        retry_after = self.rate_limiter.retry_after(key.key_id, key.rate_limit_count, key.rate_limit_window)
        if retry_after:
            categories = sorted({item_category(item) for item in envelope.items if item.type in EVENT_ITEM_TYPES})
            raise RateLimited(retry_after, categories)

    async def _spool(self, request: IngestRequest, body: bytes, encoding: str | None) -> None:
        if self.approximate_depth >= self.queue_max_depth:
            raise Overloaded("failed to queue envelope: queue is full")
        envelope = QueuedEnvelope(
            project_id=request.project_id,
            received=time.time(),
            body=body,
            content_encoding=encoding,
            client_ip=request.client_ip,
        )
        try:
            await self.queue.put(envelope)
        except (QueueFull, QueueUnavailable) as exc:  # the queue logged why it could not store it
            raise Overloaded("failed to queue envelope") from exc


def spooled_form(body: bytes, encoding: str | None, decoded: bytes) -> tuple[bytes, str | None]:
    """What the spool keeps of an envelope sent as `body` in `encoding`: the decoded bytes when they are small
    (the digest then need not decode them again), else the body as sent; and the encoding of what it keeps."""
    return (decoded, None) if len(decoded) <= SPOOL_DECODED_UP_TO else (body, encoding)


def _auth_from_envelope(envelope: Envelope) -> Auth:
    dsn = envelope.headers.get("dsn")
    if not isinstance(dsn, str) or not dsn:
        raise AuthError("missing authorization information")
    return auth_from_dsn(dsn)


def _response_event_id(envelope: Envelope) -> str | None:
    if any(item.type in _ID_ITEM_TYPES for item in envelope.items):
        return envelope.event_id
    return None

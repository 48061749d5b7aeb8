"""Unpacking spooled envelopes into what the digest stores, and counting everything else as outcomes."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from heron.perf.span_streams import SPAN_CONTAINER, read_span_container
from heron.protocol.compression import decompress
from heron.protocol.envelope import Envelope, Item, normalize_event_id, parse_envelope
from heron.protocol.errors import ProtocolError
from heron.protocol.limits import item_category
from heron.protocol.timestamps import parse_timestamp
from heron.queue import Claimed
from heron.store.bodies import compress_bytes
from heron.store.outcomes import OutcomeKey
from heron.store.types import utc_from_timestamp

log = logging.getLogger(__name__)

EVENT_TYPES = frozenset({"event", "security"})
# Container items carry several records; their outcome quantity is the item_count.
CONTAINER_TYPES = frozenset({"log", "span", "trace_metric"})


@dataclass(frozen=True, slots=True)
class RawEvent:
    """An event or transaction payload with what the envelope said about it."""

    project_id: int
    event_id: str
    payload: dict[str, Any]
    received: float
    sent_at: float | None
    client_ip: str | None


@dataclass(slots=True)
class Unpacked:
    """A batch's envelopes, sorted by what the digest does with them."""

    events: list[RawEvent] = field(default_factory=list)
    transactions: list[RawEvent] = field(default_factory=list)
    profiles: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    # (project id, transaction event id, web vitals) streamed after their transaction (heron.perf.span_streams)
    late_vitals: list[tuple[int, str, dict[str, float]]] = field(default_factory=list)
    outcomes: Counter[OutcomeKey] = field(default_factory=Counter)


def unpack_envelope(unpacked: Unpacked, message: Claimed, max_envelope_size: int, max_attachment_size: int) -> None:
    """Sort every item of one claimed envelope into `unpacked`'s events, transactions, attachments and outcomes."""
    spooled = message.envelope
    try:
        envelope = parse_envelope(decompress(spooled.body, spooled.content_encoding, max_envelope_size))
    except ProtocolError as exc:
        # Ingest checked it already; this only happens if the spool was written by something else.
        log.error("dropping unreadable spooled envelope %s: %s", message.id, exc.detail)
        return
    for item in envelope.items:
        _sort_item(
            unpacked,
            spooled.project_id,
            spooled.received,
            spooled.client_ip,
            envelope,
            item,
            max_attachment_size,
        )


def _sort_item(
    unpacked: Unpacked,
    project_id: int,
    received: float,
    client_ip: str | None,
    envelope: Envelope,
    item: Item,
    max_attachment_size: int,
) -> None:
    minute = utc_from_timestamp(received).replace(second=0, microsecond=0)
    kind = item.type
    if kind in EVENT_TYPES or kind == "transaction":
        payload = _json_object(item.payload)
        event_id = envelope.event_id or normalize_event_id(payload.get("event_id") if payload else None)
        if payload is None or event_id is None:
            unpacked.outcomes[
                (
                    project_id,
                    minute,
                    item_category(item),
                    "invalid",
                    "invalid_json" if payload is None else "no_event_id",
                )
            ] += 1
            return
        raw = RawEvent(
            project_id,
            event_id,
            payload,
            received,
            parse_timestamp(envelope.headers.get("sent_at")),
            client_ip,
        )
        if kind == "transaction":
            unpacked.transactions.append(raw)
            unpacked.outcomes[(project_id, minute, "transaction", "accepted", "")] += 1
        else:
            unpacked.events.append(raw)
    elif kind == "attachment":
        _sort_attachment(unpacked, project_id, minute, envelope, item, max_attachment_size)
    elif kind == "profile":
        _sort_profile(unpacked, project_id, received, minute, envelope, item)
    elif kind == "client_report":
        _count_client_report(unpacked, project_id, minute, item)
    elif kind == "span" and item.headers.get("content_type") == SPAN_CONTAINER:
        _sort_span_container(unpacked, project_id, received, minute, envelope, item, client_ip)
    else:
        quantity = item.headers.get("item_count") if kind in CONTAINER_TYPES else 1
        quantity = quantity if isinstance(quantity, int) and quantity > 0 else 1
        unpacked.outcomes[(project_id, minute, item_category(item), "received", kind[:64])] += quantity


def _sort_span_container(
    unpacked: Unpacked,
    project_id: int,
    received: float,
    minute: Any,
    envelope: Envelope,
    item: Item,
    client_ip: str | None,
) -> None:
    """Streamed spans: each segment with its spans is a transaction (heron.perf.span_streams)."""
    container = _json_object(item.payload)
    if container is None:
        unpacked.outcomes[(project_id, minute, "span", "invalid", "invalid_json")] += 1
        return
    streamed = read_span_container(container)
    sent_at = parse_timestamp(envelope.headers.get("sent_at"))
    for payload in streamed.transactions:
        unpacked.transactions.append(RawEvent(project_id, payload["event_id"], payload, received, sent_at, client_ip))
        unpacked.outcomes[(project_id, minute, "transaction", "accepted", "")] += 1
        unpacked.outcomes[(project_id, minute, "span", "accepted", "")] += 1 + len(payload["spans"])
    for event_id, vitals in streamed.late_vitals.items():
        unpacked.late_vitals.append((project_id, event_id, vitals))
        unpacked.outcomes[(project_id, minute, "span", "accepted", "")] += 1
    if streamed.unattached:
        unpacked.outcomes[(project_id, minute, "span", "received", "span_without_segment")] += streamed.unattached


def _sort_profile(
    unpacked: Unpacked, project_id: int, received: float, minute: Any, envelope: Envelope, item: Item
) -> None:
    """A profile (kept whole, compressed) with the id of the transaction it profiles."""
    payload = _json_object(item.payload)
    event_id = normalize_event_id(payload.get("event_id")) if payload else None
    if payload is None or event_id is None:
        unpacked.outcomes[
            (project_id, minute, "profile", "invalid", "invalid_json" if payload is None else "no_event_id")
        ] += 1
        return
    transaction = payload.get("transaction")
    listed = payload.get("transactions")
    if not isinstance(transaction, dict) and isinstance(listed, list) and listed and isinstance(listed[0], dict):
        transaction = listed[0]
    transaction_id = normalize_event_id(transaction.get("id")) if isinstance(transaction, dict) else None
    unpacked.profiles.append(
        {
            "project_id": project_id,
            "event_id": event_id,
            "transaction_event_id": transaction_id or envelope.event_id,
            "received": utc_from_timestamp(received),
            "body": compress_bytes(item.payload),
        }
    )
    unpacked.outcomes[(project_id, minute, "profile", "accepted", "")] += 1


def _sort_attachment(
    unpacked: Unpacked, project_id: int, minute: Any, envelope: Envelope, item: Item, max_size: int
) -> None:
    event_id = envelope.event_id
    if event_id is None or len(item.payload) > max_size:
        reason = "no_event_id" if event_id is None else "too_large"
        unpacked.outcomes[(project_id, minute, "attachment", "invalid", reason)] += len(item.payload)
        return
    filename = item.headers.get("filename")
    content_type = item.headers.get("content_type")
    attachment_type = item.headers.get("attachment_type")
    unpacked.attachments.append(
        {
            "project_id": project_id,
            "event_id": event_id,
            "filename": filename[:256] if isinstance(filename, str) and filename else "attachment",
            "content_type": content_type[:128] if isinstance(content_type, str) else None,
            "attachment_type": attachment_type[:64] if isinstance(attachment_type, str) else "event.attachment",
            "size": len(item.payload),
            "body": compress_bytes(item.payload),
        }
    )
    unpacked.outcomes[(project_id, minute, "attachment", "accepted", "")] += len(item.payload)


def _count_client_report(unpacked: Unpacked, project_id: int, minute: Any, item: Item) -> None:
    report = _json_object(item.payload) or {}
    discarded = report.get("discarded_events")
    for entry in discarded if isinstance(discarded, list) else []:
        if not isinstance(entry, dict):
            continue
        reason, category, quantity = entry.get("reason"), entry.get("category"), entry.get("quantity")
        if isinstance(reason, str) and isinstance(category, str) and isinstance(quantity, int) and quantity > 0:
            unpacked.outcomes[(project_id, minute, category[:32], "client_discard", reason[:64])] += quantity


def _json_object(payload: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None

"""A transaction as Sentry's event details show one: its spans as a `spans` entry, its trace context, web vitals
as `measurements`, and (Heron's addition, also linked from the error side) the errors of the same trace."""

from __future__ import annotations

from typing import Any

from heron.api.shapes import iso
from heron.store.bodies import decompress_json
from heron.store.models import Event, Project, Transaction


def transaction_detail_shape(
    transaction: Transaction,
    project: Project,
    errors: list[Event],
    related: list[Transaction],
    projects: dict[int, Project],
) -> dict[str, Any]:
    """The event-details JSON of one transaction."""
    start = transaction.start.timestamp()
    end = start + transaction.duration_ms / 1000
    spans = decompress_json(transaction.spans).get("spans", [])
    tags = [["environment", transaction.environment], ["transaction", transaction.name]]
    if transaction.release:
        tags.append(["release", transaction.release])
    if transaction.http_status is not None:
        tags.append(["http.status_code", str(transaction.http_status)])
    return {
        "id": transaction.event_id,
        "eventID": transaction.event_id,
        "type": "transaction",
        "title": transaction.name,
        "transaction": transaction.name,
        "projectID": str(project.id),
        "projectSlug": project.slug,
        "environment": transaction.environment,
        "release": {"version": transaction.release} if transaction.release else None,
        "startTimestamp": start,
        "endTimestamp": end,
        "dateCreated": iso(transaction.start),
        "duration": transaction.duration_ms,
        "contexts": {
            "trace": {
                "trace_id": transaction.trace_id,
                "span_id": transaction.span_id,
                "op": transaction.op,
                "status": transaction.status,
                "type": "trace",
            }
        },
        "tags": [{"key": key, "value": value} for key, value in tags],
        "measurements": {name: {"value": value} for name, value in (transaction.measurements or {}).items()},
        "entries": [{"type": "spans", "data": [_span(span, transaction.trace_id) for span in spans]}],
        "user": {"id": transaction.user_key} if transaction.user_key else None,
        "hasProfile": transaction.has_profile,
        "errors": [
            {
                "eventID": event.event_id,
                "issueId": str(event.issue_id),
                "title": event.title,
                "projectSlug": projects[event.project_id].slug if event.project_id in projects else None,
                "timestamp": iso(event.timestamp),
            }
            for event in errors
        ],
        "traceTransactions": [
            {
                "eventID": other.event_id,
                "transaction": other.name,
                "projectSlug": projects[other.project_id].slug if other.project_id in projects else None,
                "startTimestamp": other.start.timestamp(),
                "duration": other.duration_ms,
            }
            for other in related
        ],
    }


def _span(span: dict[str, Any], trace_id: str | None) -> dict[str, Any]:
    start = float(span["start"])
    return {
        "span_id": span["span_id"],
        "parent_span_id": span.get("parent_span_id"),
        "trace_id": trace_id,
        "op": span.get("op"),
        "description": span.get("description"),
        "start_timestamp": start,
        "timestamp": start + float(span["duration_ms"]) / 1000,
        "status": span.get("status"),
        "data": span.get("data") or {},
    }

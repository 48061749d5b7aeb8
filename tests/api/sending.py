"""Sending events to a running Heron the way SDKs do: envelopes over HTTP with the DSN key in X-Sentry-Auth."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from tests.harness import HeronServer, Tenant


def error_event(exception_type: str = "ValueError", value: str = "bad value", **fields: Any) -> dict[str, Any]:
    """An error event as sentry-python sends one: one exception with a small in-app stack trace."""
    event: dict[str, Any] = {
        "event_id": uuid.uuid4().hex,
        "timestamp": time.time(),
        "platform": "python",
        "level": "error",
        "exception": {
            "values": [
                {
                    "type": exception_type,
                    "value": value,
                    "module": "builtins",
                    "mechanism": {"type": "generic", "handled": True},
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "app/views.py",
                                "abs_path": "/srv/app/views.py",
                                "module": "app.views",
                                "function": "checkout",
                                "lineno": 42,
                                "context_line": "    total = compute(cart)",
                                "pre_context": ["def checkout(cart):"],
                                "post_context": ["    return total"],
                                "in_app": True,
                                "vars": {"cart": "[]"},
                            }
                        ]
                    },
                }
            ]
        },
    }
    event.update(fields)
    return event


def envelope(event: dict[str, Any], dsn: str) -> bytes:
    """One event as an envelope."""
    sent_at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    header = {"event_id": event["event_id"], "dsn": dsn, "sent_at": sent_at}
    payload = orjson.dumps(event)
    item = {"type": "event", "length": len(payload), "content_type": "application/json"}
    return b"\n".join((orjson.dumps(header), orjson.dumps(item), payload)) + b"\n"


def send_events(heron: HeronServer, tenant: Tenant, events: Iterable[dict[str, Any]]) -> list[str]:
    """Post each event as an envelope; returns their ids once every one was accepted (not yet digested)."""
    auth = f"Sentry sentry_key={tenant.public_key}, sentry_version=7, sentry_client=heron-tests/1.0"
    ids = []
    with httpx.Client(base_url=heron.url, timeout=10) as client:
        for event in events:
            response = client.post(
                f"/api/{tenant.project_id}/envelope/",
                content=envelope(event, tenant.dsn),
                headers={"X-Sentry-Auth": auth, "Content-Type": "application/x-sentry-envelope"},
            )
            assert response.status_code == 200, response.text
            ids.append(event["event_id"])
    return ids


def send_and_digest(heron: HeronServer, tenant: Tenant, *events: dict[str, Any]) -> list[str]:
    """Send events and wait until the digest has stored them."""
    ids = send_events(heron, tenant, events)
    heron.wait_for_digest()
    return ids

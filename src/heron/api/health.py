"""Liveness and metrics: `/_health` (queue depth and digest lag) and `/_metrics` (Prometheus text)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

health_router = APIRouter(include_in_schema=False)


def _queue_figures(request: Request) -> tuple[int, float]:
    queue = request.app.state.services.queue
    oldest = queue.oldest_received()
    return queue.depth(), 0.0 if oldest is None else max(0.0, time.time() - oldest)


@health_router.get("/_health")
async def health(request: Request) -> dict[str, Any]:
    """The server is up; how much waits in the queue and how far behind the digest is."""
    depth, lag = await run_in_threadpool(_queue_figures, request)
    return {"status": "ok", "queue": {"depth": depth, "digestLagSeconds": round(lag, 3)}}


@health_router.get("/_metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> str:
    """Prometheus text format."""
    depth, lag = await run_in_threadpool(_queue_figures, request)
    return (
        "# HELP heron_queue_depth Envelopes waiting to be digested.\n"
        "# TYPE heron_queue_depth gauge\n"
        f"heron_queue_depth {depth}\n"
        "# HELP heron_digest_lag_seconds Age of the oldest envelope waiting to be digested.\n"
        "# TYPE heron_digest_lag_seconds gauge\n"
        f"heron_digest_lag_seconds {lag:.3f}\n"
    )

"""The one ASGI application `heron serve` runs: ingest paths go straight to the ingest app, the JSON API and
health endpoints to FastAPI, and every other path to the dashboard's pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from heron.api import build_api_router
from heron.api.errors import install_error_handlers
from heron.api.health import health_router
from heron.config import Settings
from heron.ingest.accept import Ingestor
from heron.ingest.app import IngestApp, Receive, Scope, Send, is_ingest_path
from heron.ingest.keys import KeyCache, KeyInfo
from heron.protocol.limits import ItemLimits
from heron.queue import EnvelopeQueue, open_queue
from heron.store.engine import make_engine, make_sessionmaker
from heron.store.projects import key_by_public_key
from heron.web.app import build_pages_app

QUEUE_DEPTH_INTERVAL = 1.0
# Paths the FastAPI app answers (JSON); every other non-ingest path is a page.
API_PREFIXES = ("/api/", "/_health", "/_metrics")


@dataclass(slots=True)
class Services:
    """What the app's parts share: settings, database, queue, key cache."""

    settings: Settings
    engine: Engine
    write_engine: Engine
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    queue: EnvelopeQueue
    keys: KeyCache
    ingestor: Ingestor

    def close(self) -> None:
        self.queue.close()
        self.engine.dispose()
        self.write_engine.dispose()


def open_services(settings: Settings) -> Services:
    """Connect to the database and the queue."""
    url = settings.resolved_database_url
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)

    def load_key(public_key: str) -> KeyInfo | None:
        with sessions() as session:
            key = key_by_public_key(session, public_key)
            if key is None:
                return None
            return KeyInfo(key.id, key.project_id, key.is_active, key.rate_limit_count, key.rate_limit_window)

    queue = open_queue(settings.resolved_queue_url)
    keys = KeyCache(load_key)
    ingestor = Ingestor(
        queue=queue,
        keys=keys,
        limits=ItemLimits(max_event_size=settings.max_event_size),
        max_envelope_size=settings.max_envelope_size,
        queue_max_depth=settings.queue_max_depth,
    )
    # On SQLite, writes go through an engine whose transactions begin IMMEDIATE; PostgreSQL needs no second pool.
    write_engine = make_engine(url, writer=True) if url.startswith("sqlite") else engine
    return Services(settings, engine, write_engine, sessions, make_sessionmaker(write_engine), queue, keys, ingestor)


class HeronApp:
    """ASGI entry point: ingest requests skip the framework; the API and lifespan go to the FastAPI app; pages
    to the pages app (its own error pages, CSRF checks and security headers)."""

    def __init__(self, services: Services, on_shutdown: Callable[[], None] | None = None) -> None:
        settings = services.settings
        self.services = services
        self.ingest = IngestApp(services.ingestor, settings.max_body_size, settings.trust_x_forwarded_for)
        self.web = build_web_app(services, on_shutdown)
        self.pages = build_pages_app(services)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_ingest_path(scope["path"]):
            await self.ingest(scope, receive, send)
        elif scope["type"] == "http" and not scope["path"].startswith(API_PREFIXES):
            await self.pages(scope, receive, send)  # type: ignore[arg-type]
        else:
            await self.web(scope, receive, send)  # type: ignore[arg-type]


def build_web_app(services: Services, on_shutdown: Callable[[], None] | None = None) -> FastAPI:
    """The FastAPI app: the JSON API under /api/0/ and the health endpoints."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        watcher = asyncio.create_task(_watch_queue_depth(services))
        yield
        watcher.cancel()
        if on_shutdown is not None:
            await run_in_threadpool(on_shutdown)
        services.close()

    app = FastAPI(
        title="Heron",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    install_error_handlers(app)
    app.include_router(build_api_router(), prefix="/api/0")
    app.include_router(health_router)
    return app


async def _watch_queue_depth(services: Services) -> None:
    """Keep ingest's idea of the queue depth fresh, so it answers 503 instead of growing the spool forever."""
    while True:
        services.ingestor.approximate_depth = await run_in_threadpool(services.queue.depth)
        await asyncio.sleep(QUEUE_DEPTH_INTERVAL)


def create_app(settings: Settings, on_shutdown: Callable[[], None] | None = None) -> HeronApp:
    """The whole application for `settings` (the caller runs migrations first).

    `on_shutdown` runs when the server shuts down, before the database and the queue close.
    """
    return HeronApp(open_services(settings), on_shutdown)

"""The pages app: its routes, its error pages, and the two middlewares every page passes through."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from heron.web import (
    auth,
    comments,
    invites,
    issue_page,
    members,
    performance,
    project_settings,
    projects,
    settings,
    stream,
    teams,
    tokens,
    transaction_page,
    triage,
)
from heron.web.csrf import CsrfMiddleware
from heron.web.deps import PageServices
from heron.web.errors import error_page, install_page_error_handlers
from heron.web.headers import SecurityHeaders
from heron.web.templates import page_environment

STATIC = Path(__file__).parent / "static"
# Each module owns a `router` of its pages.
PAGE_MODULES = (auth, projects, stream, issue_page, triage, comments, settings, members, teams, project_settings,
                tokens, invites, performance, transaction_page)  # fmt: skip


def build_pages_app(services: PageServices) -> ASGIApp:
    """Every page route, static files under /static/, CSRF checks on every POST and security headers on every
    response (the headers middleware is outermost, so error pages and static files carry them too)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.services = services
    app.state.templates = page_environment()
    install_page_error_handlers(app)
    for module in PAGE_MODULES:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    https = services.settings.url.startswith("https://")
    app.add_middleware(CsrfMiddleware, secret=services.settings.secret_key, secure_cookies=https, refuse=error_page)
    return SecurityHeaders(app, https=https)

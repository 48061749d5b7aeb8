"""The JSON API under /api/0/: Sentry's paths, field names and pagination, so sentry-cli and scripts work."""

from __future__ import annotations

from fastapi import APIRouter

from heron.api import discover, events, index, issues, organizations, projects, tags


def build_api_router() -> APIRouter:
    """Every API route, to be mounted at /api/0."""
    router = APIRouter()
    for module in (index, organizations, projects, issues, events, tags, discover):
        router.include_router(module.router)
    return router

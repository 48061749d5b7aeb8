"""`GET /api/0/`: what sentry-cli's `info` asks for."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from heron.api.deps import OptionalCaller

router = APIRouter()


@router.get("/")
def api_index(found: OptionalCaller) -> dict[str, Any]:
    """The API version, and the caller's user and scopes when a token is sent."""
    if found is None:
        return {"version": "0", "auth": None, "user": None}
    user = found.user
    return {
        "version": "0",
        "auth": {"scopes": sorted(found.scopes)},
        "user": {
            "id": str(user.id),
            "email": user.email,
            "name": user.name or user.email,
            "username": user.email,
        },
    }

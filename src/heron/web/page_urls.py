"""Links to the page being shown with some of its query parameters changed (another sort, period or page)."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlencode

from starlette.requests import Request


def with_params(request: Request, *, drop: Collection[str] = (), **changes: str) -> str:
    """This page's path and query, without the `drop` parameters and with `changes` replacing their namesakes."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if key not in drop and key not in changes]
    return f"{request.url.path}?{urlencode([*kept, *changes.items()])}"

"""Cursor pagination as Sentry and sentry-cli speak it: `?cursor=` in, a `Link` header out.

A cursor is `{per_page}:{page}:{is_prev}` (the shape of Sentry's offset cursors). sentry-cli follows the
`rel="next"` link while it says `results="true"`, passing its `cursor` back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Request
from fastapi.responses import Response

from heron.api.errors import ApiError

MAX_PER_PAGE = 100
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a list a request asks for."""

    per_page: int
    number: int

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return self.per_page * self.number

    @property
    def fetch(self) -> int:
        """Rows to read: one more than a page, to learn whether another page follows."""
        return self.per_page + 1


def requested_page(request: Request, default_per_page: int = MAX_PER_PAGE) -> Page:
    """The page named by `?cursor=` (and `?per_page=` / `?limit=` for a first page); 400 when malformed."""
    per_page = _positive_int(request, "per_page") or _positive_int(request, "limit") or default_per_page
    per_page = min(per_page, MAX_PER_PAGE)
    cursor = request.query_params.get("cursor", "").strip()
    if not cursor:
        return Page(per_page, 0)
    parts = cursor.split(":")
    if len(parts) != 3 or not all(part.lstrip("-").isdigit() for part in parts):
        raise ApiError(400, f"Invalid cursor parameter: {cursor!r}")
    cursor_per_page, number = int(parts[0]), int(parts[1])
    if cursor_per_page > 0:
        per_page = min(cursor_per_page, MAX_PER_PAGE)
    return Page(per_page, max(number, 0))


def paginated_response(
    request: Request, page: Page, rows: Sequence[T], shape: Callable[[Sequence[T]], list[dict[str, Any]]]
) -> Response:
    """A JSON list of one page of `rows` (read with `page.fetch`), shaped by `shape`, with its Link header."""
    has_more = len(rows) > page.per_page
    body = shape(rows[: page.per_page])
    return json_response(body, headers={"Link": link_header(request, page, has_more)})


def link_header(request: Request, page: Page, has_more: bool) -> str:
    """Sentry's `Link` header: a previous and a next link, each saying whether it has results."""
    previous = f"{page.per_page}:{max(page.number - 1, 0)}:1"
    following = f"{page.per_page}:{page.number + 1}:0"
    return ", ".join(
        (
            _link(request, previous, "previous", page.number > 0),
            _link(request, following, "next", has_more),
        )
    )


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response serialized with orjson."""
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _link(request: Request, cursor: str, rel: str, results: bool) -> str:
    # As Sentry builds it: the other query parameters encoded, then the cursor as is.
    others = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "cursor"])
    url = f"{request.url.replace(query='')}?{others + '&' if others else ''}cursor={cursor}"
    return f'<{url}>; rel="{rel}"; results="{"true" if results else "false"}"; cursor="{cursor}"'


def _positive_int(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, f"Invalid {name} parameter: {raw!r} (a positive integer)")
    return int(raw)

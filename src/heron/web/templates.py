"""Jinja2 for the pages: autoescaping everywhere (event data is hostile and nothing is marked safe), strict
undefined names, and the filters the templates share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from heron import __version__
from heron.store.types import utcnow
from heron.web.csrf import FIELD, token_for_request


def page_environment() -> Environment:
    """The template environment of the pages app."""
    environment = Environment(
        loader=PackageLoader("heron.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(ago=ago, when=when, iso=iso, number=compact_number)
    environment.globals.update(csrf_field=FIELD, static_version=__version__)
    return environment


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page: `template` with `context`, the viewer and the form token. Pages are never cached."""
    environment: Environment = request.app.state.templates
    secret = request.app.state.services.settings.secret_key
    html = environment.get_template(template).render(
        viewer=getattr(request.state, "viewer", None),
        csrf_token=token_for_request(request, secret),
        current_path=request.url.path,
        **(context or {}),
    )
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["cache-control"] = "no-store"
    return response


def ago(moment: datetime | None) -> str:
    """`5 minutes ago`, `3 days ago`; `in the future` for clock skew."""
    if moment is None:
        return "never"
    seconds = int((utcnow() - moment).total_seconds())
    if seconds < 0:
        return "in the future"
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def when(moment: datetime | None) -> str:
    """An absolute UTC time, to the second."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else ""


def iso(moment: datetime | None) -> str:
    """The machine-readable form, for `<time datetime>`."""
    return moment.isoformat() if moment is not None else ""


def compact_number(value: int) -> str:
    """1234 → `1.2k`, 2500000 → `2.5M`."""
    for suffix, size in (("M", 1_000_000), ("k", 1_000)):
        if value >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)

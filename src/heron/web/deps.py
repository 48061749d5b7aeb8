"""What page routes receive: the services, a database session, and the signed-in viewer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from heron.config import Settings
from heron.store.types import utcnow
from heron.store.web_sessions import Viewer, session_viewer
from heron.web.cookies import SESSION_COOKIE
from heron.web.csrf import SAFE_METHODS
from heron.web.errors import SignInRequired
from heron.web.signing import unsign

SESSION_PURPOSE = "session"


class PageServices(Protocol):
    """What the pages use of the server's services."""

    settings: Settings
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]


def services_of(request: Request) -> PageServices:
    """The services the pages app was built with."""
    services: PageServices = request.app.state.services
    return services


def page_db(request: Request) -> Iterator[Session]:
    """A session for one request, committed when the route returns; POSTs take the write lock up front
    (SQLite's BEGIN IMMEDIATE), as the API's writes do."""
    services = services_of(request)
    factory = services.sessions if request.method in SAFE_METHODS else services.write_sessions
    with factory() as session, session.begin():
        yield session


Db = Annotated[Session, Depends(page_db, scope="function")]


def optional_viewer(request: Request, db: Db) -> Viewer | None:
    """The viewer of the request's session cookie, if it is signed here and its session is live."""
    raw = request.cookies.get(SESSION_COOKIE)
    key = unsign(services_of(request).settings.secret_key, SESSION_PURPOSE, raw) if raw else None
    viewer = session_viewer(db, key, utcnow()) if key else None
    request.state.viewer = viewer
    return viewer


def signed_in_viewer(viewer: Annotated[Viewer | None, Depends(optional_viewer)]) -> Viewer:
    """The viewer; without one the page answers with a redirect to the sign-in page."""
    if viewer is None:
        raise SignInRequired()
    return viewer


SignedIn = Annotated[Viewer, Depends(signed_in_viewer)]
MaybeSignedIn = Annotated[Viewer | None, Depends(optional_viewer)]


def client_address(request: Request) -> str:
    """The client's IP: the first X-Forwarded-For hop when HERON_TRUST_X_FORWARDED_FOR is set, else the peer."""
    if services_of(request).settings.trust_x_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "").split(",", 1)[0].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client is not None else "unknown"

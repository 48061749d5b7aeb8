"""What every API endpoint receives: a database session and the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from heron.api.errors import ApiError
from heron.store.accounts import record_token_use, token_owner, token_use_is_stale
from heron.store.models import User
from heron.store.visibility import Visibility, user_visibility

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db_session(request: Request) -> Iterator[Session]:
    """A session for one request, committed when the endpoint returns without error.

    Requests that change things take the write lock when they begin (SQLite's BEGIN IMMEDIATE): a transaction
    that read first and then tried to write while the digest was committing would fail instead of waiting.
    """
    services = request.app.state.services
    factory = services.sessions if request.method in SAFE_METHODS else services.write_sessions
    with factory() as session, session.begin():
        yield session


# Function scope: the transaction commits before the response leaves, so a client that PUTs and then GETs
# always reads its own write (the default "request" scope would commit after the response is sent).
Db = Annotated[Session, Depends(db_session, scope="function")]


@dataclass(frozen=True, slots=True)
class Caller:
    """The user behind a bearer token, the token's scopes and what the user may see."""

    user: User
    scopes: frozenset[str]
    visibility: Visibility

    def require(self, scope: str) -> None:
        """Refuse with 403 unless the token holds `scope`."""
        if scope not in self.scopes:
            raise ApiError(403, f"You do not have permission to perform this action (missing scope {scope}).")

    def require_any(self, scopes: tuple[str, ...]) -> None:
        """Refuse with 403 unless the token holds one of `scopes` (Sentry lets `event:write` read events too)."""
        if self.scopes.isdisjoint(scopes):
            raise ApiError(
                403, f"You do not have permission to perform this action (needs one of {', '.join(scopes)})."
            )

    @property
    def organization_ids(self) -> frozenset[int]:
        """The organizations the user is a member of."""
        return frozenset(self.visibility.roles)


def optional_caller(request: Request, session: Db) -> Caller | None:
    """The caller if the request carries a valid bearer token; 401 for an invalid one."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Invalid authorization header; use Authorization: Bearer <token>.")
    owner = token_owner(session, token.strip())
    if owner is None:
        raise ApiError(401, "Invalid token.")
    if token_use_is_stale(owner):
        if request.method in SAFE_METHODS:
            # Its own short write transaction, so a GET's transaction stays read-only.
            with request.app.state.services.write_sessions() as writer, writer.begin():
                record_token_use(writer, owner.token_id)
        else:
            record_token_use(session, owner.token_id)  # this request holds the write lock already
    return Caller(owner.user, owner.scopes, user_visibility(session, owner.user.id, superuser=owner.user.is_superuser))


def caller(found: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """The authenticated caller; 401 without credentials."""
    if found is None:
        raise ApiError(401, "Authentication credentials were not provided.")
    return found


AuthenticatedCaller = Annotated[Caller, Depends(caller)]
OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]


def public_url(request: Request) -> str:
    """This server's public base URL (no trailing slash), for DSNs and links in responses."""
    return str(request.app.state.services.settings.public_url)

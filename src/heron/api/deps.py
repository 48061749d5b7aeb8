"""What every API endpoint receives: a database session and the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from heron.api.errors import ApiError
from heron.store.accounts import token_owner
from heron.store.models import Member, User


def db_session(request: Request) -> Iterator[Session]:
    """A session for one request, committed when the endpoint returns without error."""
    with request.app.state.services.sessions() as session, session.begin():
        yield session


Db = Annotated[Session, Depends(db_session)]


@dataclass(frozen=True, slots=True)
class Caller:
    """The user behind a bearer token, the token's scopes and the organizations the user belongs to."""

    user: User
    scopes: frozenset[str]
    organization_ids: frozenset[int]

    def require(self, scope: str) -> None:
        """Refuse with 403 unless the token holds `scope`."""
        if scope not in self.scopes:
            raise ApiError(403, f"You do not have permission to perform this action (missing scope {scope}).")


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
    organization_ids = frozenset(session.scalars(select(Member.organization_id).where(Member.user_id == owner.user.id)))
    return Caller(owner.user, owner.scopes, organization_ids)


def caller(found: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    """The authenticated caller; 401 without credentials."""
    if found is None:
        raise ApiError(401, "Authentication credentials were not provided.")
    return found


AuthenticatedCaller = Annotated[Caller, Depends(caller)]
OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]

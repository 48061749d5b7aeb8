"""Users, organizations, memberships and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from heron.store.models import ApiToken, Member, Organization, Team, User
from heron.store.teams import create_team, set_member_teams
from heron.store.types import utcnow

ROLES = ("owner", "admin", "member")
# Sentry's scope names; a token holds a subset.
SCOPES = (
    "org:read",
    "org:write",
    "org:admin",
    "project:read",
    "project:write",
    "project:admin",
    "project:releases",
    "team:read",
    "team:write",
    "team:admin",
    "member:read",
    "member:write",
    "member:admin",
    "event:read",
    "event:write",
    "event:admin",
)
DEFAULT_SCOPES = (
    "org:read",
    "project:read",
    "project:write",
    "project:releases",
    "team:read",
    "member:read",
    "event:read",
    "event:write",
)
TOKEN_PREFIX = "heron_"

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be honoured (duplicate email, unknown scope…)."""


def hash_password(password: str) -> str:
    """An argon2 hash of the password."""
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the stored hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, email: str, password: str | None, *, superuser: bool = False, name: str = "") -> User:
    """A new user; the email is stored lower-cased and must be unique."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"not an email address: {email!r}")
    if session.scalars(select(User).where(User.email == email)).first() is not None:
        raise AccountError(f"a user with email {email} exists already")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password else None,
        is_superuser=superuser,
    )
    session.add(user)
    session.flush()
    return user


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email, if any."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def create_organization(
    session: Session, slug: str, name: str | None = None, owner: User | None = None
) -> Organization:
    """A new organization with a team of the same slug, and `owner` as its first owner, in that team."""
    if session.scalars(select(Organization).where(Organization.slug == slug)).first() is not None:
        raise AccountError(f"an organization with slug {slug} exists already")
    organization = Organization(slug=slug, name=name or slug)
    session.add(organization)
    session.flush()
    team = create_team(session, organization.id, slug, organization.name)
    if owner is not None:
        add_member(session, organization, owner, "owner", [team])
    return organization


def organization_by_slug(session: Session, slug: str) -> Organization | None:
    """The organization with this slug, if any."""
    return session.scalars(select(Organization).where(Organization.slug == slug)).first()


def add_member(
    session: Session, organization: Organization, user: User, role: str, teams: Iterable[Team] = ()
) -> Member:
    """Make `user` a member of `organization` with `role`, in `teams`."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    member = Member(organization_id=organization.id, user_id=user.id, role=role)
    session.add(member)
    session.flush()
    set_member_teams(session, member, teams)
    return member


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """Who a presented bearer token belongs to, and what it may do."""

    user: User
    scopes: frozenset[str]
    token_id: int
    last_used: datetime | None


def create_token(session: Session, user: User, scopes: tuple[str, ...] = DEFAULT_SCOPES, name: str = "") -> str:
    """A new API token for `user`. Returns the token itself; only its sha256 is stored."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise AccountError(f"unknown scopes: {', '.join(sorted(unknown))}")
    token = TOKEN_PREFIX + secrets.token_hex(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            token_last_characters=token[-4:],
            name=name,
            scopes=" ".join(sorted(set(scopes))),
        )
    )
    session.flush()
    return token


def token_owner(session: Session, token: str) -> TokenOwner | None:
    """The owner of a presented token, if the token exists and its user is active."""
    row = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == _token_hash(token))
    ).first()
    if row is None or not row.User.is_active:
        return None
    api_token: ApiToken = row.ApiToken
    return TokenOwner(row.User, frozenset(api_token.scopes.split()), api_token.id, api_token.last_used)


def token_use_is_stale(owner: TokenOwner) -> bool:
    """Whether the token's `last_used` is worth refreshing (at most once a minute, to keep reads read-only)."""
    return owner.last_used is None or (utcnow() - owner.last_used).total_seconds() > 60


def record_token_use(session: Session, token_id: int) -> None:
    """Remember that a token was just used."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used=utcnow()))


def user_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The user's API tokens, newest first."""
    statement = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(statement))


def revoke_token(session: Session, user_id: int, token_id: int) -> bool:
    """Delete one of the user's tokens (it stops working at once); False when they have no such token."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        return False
    session.delete(token)
    session.flush()
    return True


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def users_by_id(session: Session, ids: Iterable[int]) -> dict[int, User]:
    """Users by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(wanted)))}


def organization_member(session: Session, organization_id: int, identifier: str) -> User | None:
    """The active member of the organization named by `identifier`: `user:ID`, `ID`, or an email (Heron's
    usernames are emails)."""
    identifier = identifier.strip()
    statement = (
        select(User)
        .join(Member, Member.user_id == User.id)
        .where(Member.organization_id == organization_id, User.is_active.is_(True))
    )
    bare = identifier.removeprefix("user:")
    if bare.isdigit():
        statement = statement.where(User.id == int(bare))
    else:
        statement = statement.where(User.email == identifier.lower())
    return session.scalars(statement).first()


def organization_members(session: Session, organization_id: int) -> list[User]:
    """The organization's active members, by email: whom its issues can be assigned to."""
    statement = (
        select(User)
        .join(Member, Member.user_id == User.id)
        .where(Member.organization_id == organization_id, User.is_active.is_(True))
        .order_by(User.email)
    )
    return list(session.scalars(statement))

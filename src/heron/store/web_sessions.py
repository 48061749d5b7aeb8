"""Signed-in browsers: a session is a random key in a cookie; only the key's sha256 is stored, so a copy of the
database opens no browser session. Deleting the row signs the browser out."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heron.store.models import User, WebSession
from heron.store.visibility import Visibility, user_visibility

SESSION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The user behind a browser session and what they may see (plain values, so they outlive the request's
    database session, e.g. on an error page)."""

    user_id: int
    email: str
    name: str
    is_superuser: bool
    visibility: Visibility

    @property
    def organization_ids(self) -> frozenset[int]:
        """The organizations the viewer is a member of."""
        return frozenset(self.visibility.roles)


def start_web_session(session: Session, user_id: int, now: datetime) -> str:
    """A new session for the user (their expired ones are dropped); returns the key for the cookie."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id, WebSession.expires <= now))
    key = secrets.token_urlsafe(32)
    session.add(WebSession(key_hash=_key_hash(key), user_id=user_id, date_created=now, expires=now + SESSION_LIFETIME))
    session.flush()
    return key


def session_viewer(session: Session, key: str, now: datetime) -> Viewer | None:
    """The viewer of an unexpired session whose user is active; None otherwise."""
    row = session.execute(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.key_hash == _key_hash(key), WebSession.expires > now)
    ).first()
    if row is None or not row.User.is_active:
        return None
    user: User = row.User
    visibility = user_visibility(session, user.id, superuser=user.is_superuser)
    return Viewer(user.id, user.email, user.name, user.is_superuser, visibility)


def end_web_session(session: Session, key: str) -> None:
    """Forget the session (signing out)."""
    session.execute(delete(WebSession).where(WebSession.key_hash == _key_hash(key)))


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()

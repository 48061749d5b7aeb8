"""Sign-in: the password check, and the throttle that refuses an account or a client address after too many
failures in a window (failures are rows, so several `heron serve` processes share the count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from heron.store.accounts import hash_password, password_matches
from heron.store.models import SignInFailure, User

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Throttle:
    """Whether sign-in is refused for an account or an address, and for how long at most."""

    account_blocked: bool
    address_blocked: bool
    retry_after: timedelta

    @property
    def blocked(self) -> bool:
        return self.account_blocked or self.address_blocked


def sign_in_throttle(session: Session, account: str, ip: str, now: datetime) -> Throttle:
    """Whether `account` (as typed) or `ip` has failed MAX_FAILURES times within FAILURE_WINDOW of `now`."""
    since = now - FAILURE_WINDOW
    account_failures = _failures(session, SignInFailure.account == _account_key(account), since)
    address_failures = _failures(session, SignInFailure.ip == ip, since)
    return Throttle(account_failures >= MAX_FAILURES, address_failures >= MAX_FAILURES, FAILURE_WINDOW)


def password_is_right(user: User | None, password: str) -> bool:
    """Whether `user` is active and `password` is theirs. No user costs one argon2 check too, so the answer's
    timing does not tell which emails have accounts."""
    if user is None or not user.is_active:
        password_matches(_decoy_hash(), password)
        return False
    return password_matches(user.password_hash, password)


def record_sign_in_failure(session: Session, account: str, ip: str, now: datetime) -> None:
    """Count a failed sign-in; failures older than the window are dropped on the way."""
    session.execute(delete(SignInFailure).where(SignInFailure.attempted_at < now - FAILURE_WINDOW))
    session.add(SignInFailure(account=_account_key(account), ip=ip[:64], attempted_at=now))
    session.flush()


def forget_sign_in_failures(session: Session, account: str) -> None:
    """A successful sign-in clears the account's failures (the address keeps its count)."""
    session.execute(delete(SignInFailure).where(SignInFailure.account == _account_key(account)))


def _failures(session: Session, condition: ColumnElement[bool], since: datetime) -> int:
    statement = select(func.count()).select_from(SignInFailure).where(condition, SignInFailure.attempted_at >= since)
    return int(session.scalar(statement) or 0)


def _account_key(account: str) -> str:
    return account.strip().lower()[:254]


@cache
def _decoy_hash() -> str:
    return hash_password("heron decoy password")

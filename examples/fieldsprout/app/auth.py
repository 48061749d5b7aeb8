"""Signing in and out. The signed-in user is `g.user`, where monitoring reads who was affected by an error."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from flask import Blueprint, g, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.models import User, db
from app.monitoring import capture_message

blueprint = Blueprint("auth", __name__)

View = Callable[..., ResponseReturnValue]


@blueprint.before_app_request
def load_signed_in_user() -> None:
    user_id = session.get("user_id")
    g.user = db.session.get(User, user_id) if user_id is not None else None


def login_required(view: View) -> View:
    """`view`, answering 401 to visitors who are not signed in."""

    @functools.wraps(view)
    def signed_in_view(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if g.user is None:
            return {"error": "sign in first"}, 401
        return view(*args, **kwargs)

    return signed_in_view


def signed_in_user() -> User:
    """The user of this request, in a view behind `login_required`."""
    return cast(User, g.user)


@blueprint.post("/login")
def login() -> ResponseReturnValue:
    email = request.form.get("email", "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
        capture_message(
            "Suspicious login attempt detected",
            level="warning",
            extra_context={"email": email, "attempts": _count_failed_login(user), "ip": request.remote_addr},
        )
        return {"error": "wrong email or password"}, 401
    user.failed_logins = 0
    db.session.commit()
    session.clear()
    session["user_id"] = user.id
    return {"signed_in": user.email}


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    session.clear()
    return {"signed_in": None}


def _count_failed_login(user: User | None) -> int:
    """The failed attempts in a row for the user, this one included (1 for an unknown email)."""
    if user is None:
        return 1
    user.failed_logins += 1
    db.session.commit()
    return user.failed_logins

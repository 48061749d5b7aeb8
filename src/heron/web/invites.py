"""Accepting an invitation (`/accept-invite/{token}/`): a newcomer signs up there (name and password), someone
with an account signs in first and joins; either way they become a member with the invitation's role and teams."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from heron.store.accounts import AccountError, create_user, user_by_email
from heron.store.invites import accept_invite, open_invite
from heron.store.models import Invite, Organization, User
from heron.store.types import utcnow
from heron.store.web_sessions import start_web_session
from heron.web.auth import signed_in_redirect
from heron.web.csrf import posted_form
from heron.web.deps import Db, MaybeSignedIn
from heron.web.errors import PageError
from heron.web.templates import render

router = APIRouter()
MIN_PASSWORD = 10
GONE = "This invitation has expired, was withdrawn or was used already. Ask for a new one."


@router.get("/accept-invite/{token}/")
def invite_page(request: Request, token: str, viewer: MaybeSignedIn, db: Db) -> Response:
    """What the invitation offers, with a sign-up form (or a join button when signed in)."""
    invite = _invite(db, token)
    return _form(request, db, invite, token, email=invite.email or "")


@router.post("/accept-invite/{token}/")
def accept(request: Request, token: str, viewer: MaybeSignedIn, db: Db) -> Response:
    """Join (signed in), or create the account, join and sign in."""
    invite = _invite(db, token)
    if viewer is not None:
        try:
            accept_invite(db, invite, db.get_one(User, viewer.user_id))
        except AccountError as error:
            raise PageError(400, str(error)) from None
        return RedirectResponse("/", status_code=303)
    form = posted_form(request)
    email = (invite.email or str(form.get("email", ""))).strip().lower()
    name, password = str(form.get("name", "")).strip()[:200], str(form.get("password", ""))
    problem = _sign_up_problem(db, email, password)
    if problem:
        return _form(request, db, invite, token, email=email, name=name, error=problem, status=400)
    try:
        user = create_user(db, email, password, name=name)
        accept_invite(db, invite, user)
    except AccountError as error:
        return _form(request, db, invite, token, email=email, name=name, error=str(error), status=400)
    return signed_in_redirect(request, start_web_session(db, user.id, utcnow()), "/")


def _invite(db: Db, token: str) -> Invite:
    invite = open_invite(db, token, utcnow())
    if invite is None:
        raise PageError(404, GONE)
    return invite


def _sign_up_problem(db: Db, email: str, password: str) -> str | None:
    if "@" not in email or len(email) > 254:
        return "Enter your email address."
    if user_by_email(db, email) is not None:
        return "An account with this email exists: sign in first, then open the invitation link again."
    if len(password) < MIN_PASSWORD:
        return f"Choose a password of at least {MIN_PASSWORD} characters."
    return None


def _form(
    request: Request,
    db: Db,
    invite: Invite,
    token: str,
    *,
    email: str,
    name: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "invite": invite,
        "organization": db.get_one(Organization, invite.organization_id),
        "path": f"/accept-invite/{token}/",
        "email": email,
        "name": name,
        "error": error,
        "min_password": MIN_PASSWORD,
    }
    return render(request, "accept_invite.html", context, status=status)

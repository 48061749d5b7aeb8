"""The viewer's API tokens (`/settings/account/tokens/`): create one with chosen scopes (shown once, only its
sha256 is kept), see when each was last used, revoke one (it stops working at once)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from heron.store.accounts import DEFAULT_SCOPES, SCOPES, AccountError, create_token, revoke_token, user_tokens
from heron.store.models import User
from heron.store.web_sessions import Viewer
from heron.web.csrf import posted_form
from heron.web.deps import Db, SignedIn
from heron.web.errors import PageError, not_found
from heron.web.templates import render

router = APIRouter()
PATH = "/settings/account/tokens/"
MAX_TOKENS = 100


@router.get(PATH)
def tokens_page(request: Request, viewer: SignedIn, db: Db) -> Response:
    """The viewer's tokens and the form for a new one."""
    return _page(request, db, viewer)


@router.post(PATH)
def new_token(request: Request, viewer: SignedIn, db: Db) -> Response:
    """Create a token and show it, once."""
    form = posted_form(request)
    scopes = tuple(str(scope) for scope in form.getlist("scope"))
    if not scopes:
        raise PageError(400, "A token needs at least one scope.")
    if len(user_tokens(db, viewer.user_id)) >= MAX_TOKENS:
        raise PageError(400, f"You have {MAX_TOKENS} tokens already; revoke some first.")
    name = str(form.get("name", "")).strip()[:200]
    try:
        token = create_token(db, db.get_one(User, viewer.user_id), scopes, name)
    except AccountError as error:
        raise PageError(400, str(error)) from None
    return _page(request, db, viewer, created=token)


@router.post(PATH + "{token_id}/revoke/")
def revoke(token_id: int, viewer: SignedIn, db: Db) -> Response:
    """Revoke one of the viewer's tokens."""
    if not revoke_token(db, viewer.user_id, token_id):
        raise not_found()
    return RedirectResponse(PATH, status_code=303)


def _page(request: Request, db: Db, viewer: Viewer, *, created: str | None = None) -> Response:
    context = {
        "tokens": user_tokens(db, viewer.user_id),
        "scopes": SCOPES,
        "default_scopes": DEFAULT_SCOPES,
        "created": created,
    }
    return render(request, "tokens.html", context)

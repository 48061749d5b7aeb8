"""Signing in and out. The password check runs outside any write transaction (argon2 takes tens of
milliseconds, and on SQLite a write transaction would hold the digest's lock meanwhile)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from heron.store.accounts import user_by_email
from heron.store.engine import transaction
from heron.store.sign_in import (
    forget_sign_in_failures,
    password_is_right,
    record_sign_in_failure,
    sign_in_throttle,
)
from heron.store.types import utcnow
from heron.store.web_sessions import SESSION_LIFETIME, end_web_session, start_web_session
from heron.web.cookies import SESSION_COOKIE, cookie_header
from heron.web.csrf import posted_form
from heron.web.deps import SESSION_PURPOSE, MaybeSignedIn, client_address, services_of
from heron.web.signing import sign, unsign
from heron.web.templates import render

router = APIRouter()

THROTTLED = "Too many failed sign-in attempts for this account or from your network. Wait 15 minutes, then try again."
WRONG_PASSWORD = "Wrong email or password."


@router.get("/auth/login/")
def sign_in_page(request: Request, viewer: MaybeSignedIn) -> Response:
    """The sign-in form (straight on to the wanted page when already signed in)."""
    following = safe_next(request.query_params.get("next"))
    if viewer is not None:
        return RedirectResponse(following, status_code=303)
    return _form(request, following)


@router.post("/auth/login/")
def sign_in(request: Request) -> Response:
    """Check the password and start a session; refused with 429 after too many failures."""
    form = posted_form(request)
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    following = safe_next(str(form.get("next", "")))
    address, now = client_address(request), utcnow()
    services = services_of(request)
    with transaction(services.sessions) as session:
        throttle = sign_in_throttle(session, email, address, now)
        user = None if throttle.blocked else user_by_email(session, email)
    if throttle.blocked:
        retry = str(int(throttle.retry_after.total_seconds()))
        return _form(request, following, email, THROTTLED, status=429, headers={"Retry-After": retry})
    if not password_is_right(user, password) or user is None:
        with transaction(services.write_sessions) as session:
            record_sign_in_failure(session, email, address, now)
        return _form(request, following, email, WRONG_PASSWORD, status=400)
    with transaction(services.write_sessions) as session:
        forget_sign_in_failures(session, email)
        key = start_web_session(session, user.id, now)
    return signed_in_redirect(request, key, following)


def signed_in_redirect(request: Request, key: str, target: str) -> Response:
    """A redirect to `target` that hands the browser the cookie of the session `key`."""
    response = RedirectResponse(target, status_code=303)
    cookie = sign(services_of(request).settings.secret_key, SESSION_PURPOSE, key)
    lifetime = int(SESSION_LIFETIME.total_seconds())
    response.headers.append(
        "set-cookie", cookie_header(SESSION_COOKIE, cookie, secure=_https(request), max_age=lifetime)
    )
    return response


@router.post("/auth/logout/")
def sign_out(request: Request) -> Response:
    """End the session and forget the cookie."""
    services = services_of(request)
    raw = request.cookies.get(SESSION_COOKIE)
    key = unsign(services.settings.secret_key, SESSION_PURPOSE, raw) if raw else None
    if key is not None:
        with transaction(services.write_sessions) as session:
            end_web_session(session, key)
    response = RedirectResponse("/auth/login/", status_code=303)
    response.headers.append("set-cookie", cookie_header(SESSION_COOKIE, "", secure=_https(request), max_age=0))
    return response


def safe_next(wanted: str | None) -> str:
    """Where to go after signing in: a path of this site, never another site (`//evil`, `/\\evil`, `https:`)."""
    if not wanted or not wanted.startswith("/") or wanted.startswith(("//", "/\\")):
        return "/"
    if any(ord(character) < 32 or character == "\\" for character in wanted):
        return "/"
    return wanted


def _form(
    request: Request,
    following: str,
    email: str = "",
    error: str | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {"next": following, "email": email, "error": error}
    return render(request, "sign_in.html", context, status=status, headers=headers)


def _https(request: Request) -> bool:
    return services_of(request).settings.url.startswith("https://")

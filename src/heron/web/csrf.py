"""CSRF protection for every form: a pure ASGI middleware refuses any POST (any unsafe method) whose
`csrf_token` field does not match, before a route sees it.

The token is a signed double submit: every browser gets a random `heron_csrf` cookie, and a form's token is
HMAC(HERON_SECRET_KEY, nonce + session cookie). Another site can make the browser send the cookies but can
neither read them nor compute the HMAC; binding the session cookie in means a token dies with its session, so
signing in or out changes every token.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heron.web.cookies import CSRF_COOKIE, SESSION_COOKIE, cookie_header
from heron.web.forms import MAX_FORM_BYTES, FormError, parse_form
from heron.web.signing import signature

FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SCOPE_NONCE = "heron.csrf_nonce"
SCOPE_FORM = "heron.form"
SCOPE_FORM_BODY = "heron.form_body"
_NONCE = re.compile(r"[A-Za-z0-9_-]{32}")

Refusal = Callable[[Request, int, str], Awaitable[Response]]


def csrf_token(secret: str, nonce: str, session_cookie: str) -> str:
    """The token forms carry for this browser (its nonce) and session (its raw session cookie, or none)."""
    return signature(secret, "csrf", f"{nonce}|{session_cookie}")


def token_for_request(request: Request, secret: str) -> str:
    """The token to put in the forms of the page answering `request`."""
    return csrf_token(secret, request.scope[SCOPE_NONCE], request.cookies.get(SESSION_COOKIE, ""))


def posted_form(request: Request) -> FormData:
    """The form of a POST, as the CSRF middleware read and checked it."""
    form: FormData = request.scope[SCOPE_FORM]
    return form


class CsrfMiddleware:
    """Gives each browser its nonce cookie and refuses unsafe requests without a valid token (403).

    The form is read here once, within the size cap, and handed on in the scope (`posted_form`).
    `refuse(request, status, message)` renders the refusal page.
    """

    def __init__(self, app: ASGIApp, *, secret: str, secure_cookies: bool, refuse: Refusal) -> None:
        self.app = app
        self.secret = secret
        self.secure_cookies = secure_cookies
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        nonce = request.cookies.get(CSRF_COOKIE, "")
        fresh = _NONCE.fullmatch(nonce) is None
        if fresh:
            nonce = secrets.token_urlsafe(24)
        scope[SCOPE_NONCE] = nonce
        send = self._setting_cookie(send, nonce) if fresh else send
        if scope["method"] not in SAFE_METHODS:
            problem = await self._check(request, scope, receive, fresh)
            if problem is not None:
                status, message = problem
                response = await self.refuse(request, status, message)
                await response(scope, receive, send)
                return
            receive = _replaying(scope[SCOPE_FORM_BODY], receive)
        await self.app(scope, receive, send)

    async def _check(self, request: Request, scope: Scope, receive: Receive, fresh: bool) -> tuple[int, str] | None:
        body = await _read_body(receive, MAX_FORM_BYTES)
        if body is None:
            return 413, "The form is too large."
        try:
            form = parse_form(request.headers.get("content-type", ""), body)
        except FormError:
            form = FormData()  # no readable form, so no token either
        presented = form.get(FIELD)
        expected = csrf_token(self.secret, scope[SCOPE_NONCE], request.cookies.get(SESSION_COOKIE, ""))
        if fresh or not isinstance(presented, str) or not hmac.compare_digest(presented, expected):
            return 403, "This form has expired or did not come from this site. Go back, reload the page and try again."
        scope[SCOPE_FORM] = form
        scope[SCOPE_FORM_BODY] = body
        return None

    def _setting_cookie(self, send: Send, nonce: str) -> Send:
        header = cookie_header(CSRF_COOKIE, nonce, secure=self.secure_cookies).encode()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
            await send(message)

        return send_with_cookie


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None once it exceeds `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body read already, then whatever comes next (a disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay

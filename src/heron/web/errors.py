"""Exceptions become HTML pages here, and only here (the API answers JSON from heron.api.errors)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from heron.web.forms import FormError
from heron.web.templates import render

TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed", 413: "Too large",
          429: "Too many attempts", 500: "Server error"}  # fmt: skip


class PageError(Exception):
    """A page that cannot be shown; `message` tells the reader why (no internals)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInRequired(Exception):
    """The page needs a signed-in viewer."""


def not_found(what: str = "This page does not exist, or you may not see it.") -> PageError:
    """A 404 — also what a viewer gets for other organizations' pages, so their ids and slugs leak nothing."""
    return PageError(404, what)


async def error_page(request: Request, status: int, message: str) -> Response:
    """The error page for `status`."""
    title = TITLES.get(status, "Error")
    return render(request, "error.html", {"title": title, "status": status, "message": message}, status=status)


def install_page_error_handlers(app: FastAPI) -> None:
    """Map every error of the pages app to an HTML page (or, without a session, to the sign-in page)."""

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return await error_page(request, exc.status, exc.message)

    @app.exception_handler(FormError)
    async def bad_form(request: Request, exc: FormError) -> Response:
        return await error_page(request, 400, str(exc))

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _exc: SignInRequired) -> Response:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/auth/login/?next={quote(wanted, safe='/')}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = "This page does not exist." if exc.status_code == 404 else str(exc.detail)
        return await error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, _exc: RequestValidationError) -> Response:
        return await error_page(request, 404, "This page does not exist.")

    @app.exception_handler(Exception)
    async def server_error(request: Request, _exc: Exception) -> Response:
        return await error_page(request, 500, "Something went wrong on the server; it has been logged.")

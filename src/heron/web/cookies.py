"""The dashboard's cookies: HttpOnly, SameSite=Lax, Path=/, and Secure when HERON_URL is https."""

from __future__ import annotations

SESSION_COOKIE = "heron_session"
CSRF_COOKIE = "heron_csrf"


def cookie_header(name: str, value: str, *, secure: bool, max_age: int | None = None) -> str:
    """A Set-Cookie value; `max_age=None` makes a browser-session cookie, 0 deletes it. `value` must be a token
    of URL-safe characters (the dashboard only sets random or signed ones)."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)

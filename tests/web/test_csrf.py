"""Every form carries a CSRF token, and every POST route refuses a request without a valid one (403)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from heron.web.app import PAGE_MODULES
from heron.web.csrf import csrf_token
from tests.web.site import Site, form_token, sign_in

POST_PATHS = sorted(
    re.sub(r"\{[^}]+\}", "1", route.path)
    for module in PAGE_MODULES
    for route in module.router.routes
    if isinstance(route, APIRoute) and "POST" in route.methods
)


def test_the_post_routes_are_found() -> None:
    assert {"/auth/login/", "/auth/logout/"} <= set(POST_PATHS)


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_post_without_a_token_is_refused(site: Site, path: str) -> None:
    site.organization("acme", "ann@acme.example")
    client = site.client()
    sign_in(client, "ann@acme.example")
    response = client.post(path, data={"email": "ann@acme.example", "password": "x"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_post_with_a_forged_token_is_refused(site: Site, path: str) -> None:
    client = site.client()
    client.get("/auth/login/")
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 403


def test_a_post_that_is_not_a_form_is_refused(site: Site) -> None:
    client = site.client()
    token = form_token(client.get("/auth/login/").text)
    response = client.post("/auth/login/", json={"csrf_token": token, "email": "a@b.c", "password": "x"})
    assert response.status_code == 403


def test_a_token_from_another_browser_is_refused(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    theirs = site.client()
    token = form_token(theirs.get("/auth/login/").text)
    mine = site.client()
    mine.get("/auth/login/")
    response = mine.post("/auth/login/", data={"csrf_token": token, "email": "ann@acme.example", "password": "x"})
    assert response.status_code == 403


def test_tokens_change_when_the_session_does(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    client = site.client()
    before = form_token(client.get("/auth/login/").text)
    assert sign_in(client, "ann@acme.example").status_code == 303
    assert client.post("/auth/logout/", data={"csrf_token": before}).status_code == 403
    after = form_token(client.get("/").text)
    assert after != before
    assert client.post("/auth/logout/", data={"csrf_token": after}).status_code == 303


def test_the_token_binds_the_browser_nonce_and_the_session() -> None:
    token = csrf_token("secret", "nonce-a", "session-a")
    assert token == csrf_token("secret", "nonce-a", "session-a")
    assert token != csrf_token("secret", "nonce-b", "session-a")
    assert token != csrf_token("secret", "nonce-a", "session-b")
    assert token != csrf_token("other secret", "nonce-a", "session-a")


def test_the_nonce_cookie_is_http_only_and_same_site(site: Site) -> None:
    response = site.client().get("/auth/login/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("heron_csrf=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

"""Signing in and out: argon2 passwords, server-side sessions in signed cookies, throttling per account and per
client address, and only local pages to go on to."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from heron.store.sign_in import FAILURE_WINDOW, MAX_FAILURES, record_sign_in_failure
from heron.store.types import utcnow
from heron.web.auth import THROTTLED, WRONG_PASSWORD, safe_next
from tests.web.site import Site, build_site, form_token, sign_in


def test_the_right_password_signs_in_and_goes_on_to_the_wanted_page(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    client = site.client()
    assert client.get("/organizations/acme/issues/?query=x").headers["location"] == (
        "/auth/login/?next=/organizations/acme/issues/%3Fquery%3Dx"
    )
    page = client.get("/auth/login/?next=/organizations/acme/issues/%3Fquery%3Dx")
    response = client.post(
        "/auth/login/",
        data={
            "csrf_token": form_token(page.text),
            "email": "ANN@acme.example ",
            "password": "correct horse battery staple",
            "next": "/organizations/acme/issues/?query=x",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/organizations/acme/issues/?query=x"
    assert client.get("/").status_code == 200


def test_a_wrong_password_or_an_unknown_email_gets_the_same_answer(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    wrong = sign_in(site.client(), "ann@acme.example", "wrong")
    unknown = sign_in(site.client(), "nobody@acme.example", "wrong")
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG_PASSWORD in wrong.text and WRONG_PASSWORD in unknown.text
    assert "heron_session" not in wrong.headers.get("set-cookie", "")


def test_the_session_cookie_is_http_only_same_site_and_signed(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    response = sign_in(site.client(), "ann@acme.example")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("heron_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie


def test_the_cookies_are_secure_when_heron_url_is_https(tmp_path: Path) -> None:
    site = build_site(tmp_path, f"sqlite:///{tmp_path / 'heron.sqlite3'}", public_url="https://heron.example")
    site.organization("acme", "ann@acme.example")
    client = site.client("https://testserver")
    assert "Secure" in client.get("/auth/login/").headers["set-cookie"]
    assert "Secure" in sign_in(client, "ann@acme.example").headers["set-cookie"]


def test_a_forged_or_tampered_session_cookie_is_ignored(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    client = site.client()
    sign_in(client, "ann@acme.example")
    value = client.cookies["heron_session"]
    client.cookies.set("heron_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/").status_code == 303
    client.cookies.set("heron_session", "made-up")
    assert client.get("/").status_code == 303


def test_signing_out_ends_the_session_on_the_server(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    client = site.client()
    sign_in(client, "ann@acme.example")
    stolen = client.cookies["heron_session"]
    response = client.post("/auth/logout/", data={"csrf_token": form_token(client.get("/").text)})
    assert response.status_code == 303
    assert "Max-Age=0" in response.headers["set-cookie"]
    replay = site.client()
    replay.cookies.set("heron_session", stolen)
    assert replay.get("/").status_code == 303


def test_an_account_is_refused_after_too_many_failures_even_with_the_right_password(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    client = site.client()
    for _ in range(MAX_FAILURES):
        assert sign_in(client, "ann@acme.example", "wrong").status_code == 400
    refused = sign_in(site.client(), "ann@acme.example")
    assert refused.status_code == 429
    assert THROTTLED in refused.text
    assert int(refused.headers["retry-after"]) == FAILURE_WINDOW.total_seconds()


def test_an_address_is_refused_after_too_many_failures_on_any_accounts(tmp_path: Path) -> None:
    site = build_site(tmp_path, f"sqlite:///{tmp_path / 'heron.sqlite3'}")
    site.organization("acme", "ann@acme.example")
    client = site.client()
    for number in range(MAX_FAILURES):
        assert sign_in(client, f"guess{number}@acme.example", "wrong").status_code == 400
    assert sign_in(client, "ann@acme.example").status_code == 429


def test_failures_from_other_addresses_or_older_than_the_window_do_not_count(tmp_path: Path) -> None:
    site = build_site(tmp_path, f"sqlite:///{tmp_path / 'heron.sqlite3'}")
    site.organization("acme", "ann@acme.example")
    with site.db() as session:
        long_ago = utcnow() - FAILURE_WINDOW - timedelta(minutes=1)
        for _ in range(MAX_FAILURES):
            record_sign_in_failure(session, "ann@acme.example", "testclient", long_ago)
            record_sign_in_failure(session, "someone@acme.example", "testclient", long_ago)
    assert sign_in(site.client(), "ann@acme.example").status_code == 303


def test_a_successful_sign_in_clears_the_account_failures(site: Site) -> None:
    site.organization("acme", "ann@acme.example")
    with site.db() as session:
        for _ in range(MAX_FAILURES - 1):
            record_sign_in_failure(session, "ann@acme.example", "10.0.0.1", utcnow())
    assert sign_in(site.client(), "ann@acme.example").status_code == 303
    with site.db() as session:
        record_sign_in_failure(session, "ann@acme.example", "10.0.0.2", utcnow())
    assert sign_in(site.client(), "ann@acme.example").status_code == 303


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("/organizations/acme/issues/?query=is:unresolved", "/organizations/acme/issues/?query=is:unresolved"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_only_local_pages_are_gone_on_to(wanted: str | None, expected: str) -> None:
    assert safe_next(wanted) == expected

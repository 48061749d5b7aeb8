"""Security headers on every page response; templates that cannot run inline script or mark data safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from heron.web.headers import CONTENT_SECURITY_POLICY
from tests.web.site import Site, sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "heron" / "web" / "templates"


def assert_secure_headers(headers: object) -> None:
    get = headers.get  # type: ignore[attr-defined]
    policy = get("content-security-policy")
    assert policy == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert get("x-frame-options") == "DENY"
    assert get("x-content-type-options") == "nosniff"
    assert get("referrer-policy") == "same-origin"


@pytest.mark.parametrize(
    "path",
    ["/auth/login/", "/", "/organizations/acme/issues/", "/organizations/acme/issues/1/", "/nowhere",
     "/static/heron.css", "/static/heron.js", "/organizations/globex/issues/"],
)  # fmt: skip
def test_every_page_carries_the_security_headers(site: Site, path: str) -> None:
    site.organization("acme", "ann@acme.example")
    client = site.client()
    sign_in(client, "ann@acme.example")
    response = client.get(path)
    assert response.status_code in (200, 303, 404)
    assert_secure_headers(response.headers)


def test_refusals_and_redirects_carry_them_too(site: Site) -> None:
    client = site.client()
    assert_secure_headers(client.get("/").headers)  # redirect to sign in
    refused = client.post("/auth/logout/", data={})
    assert refused.status_code == 403
    assert_secure_headers(refused.headers)


def test_pages_are_not_cached(site: Site) -> None:
    assert site.client().get("/auth/login/").headers["cache-control"] == "no-store"


def test_hsts_only_over_https(tmp_path: Path) -> None:
    from tests.web.site import build_site

    secure = build_site(tmp_path, f"sqlite:///{tmp_path / 'heron.sqlite3'}", public_url="https://heron.example")
    assert "strict-transport-security" in secure.client("https://testserver").get("/auth/login/").headers


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda path: path.name)
def test_templates_have_no_inline_script_style_or_safe_marking(template: Path) -> None:
    text = template.read_text()
    assert "|safe" not in text.replace(" ", "") and "Markup" not in text
    assert re.search(r"<script(?![^>]*\bsrc=)", text) is None, "inline <script>"
    assert re.search(r"\son[a-z]+\s*=", text) is None, "inline event handler"
    assert re.search(r"\sstyle\s*=", text) is None, "inline style attribute"
    assert "<style" not in text

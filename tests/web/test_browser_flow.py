"""In Chromium, against a running Heron: the real sentry-sdk reports a Flask app's errors; a person signs in,
finds them in the stream, narrows the stream with a search, opens an issue, expands a frame and steps to an older
event. The same pages work with JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
import sentry_sdk
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sentry_sdk.integrations.flask import FlaskIntegration

from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant
from tests.web.browsing import sign_in_with_browser


def parse_quantity(text: str) -> int:
    return int(text)


def shop() -> Flask:
    app = Flask("shop")

    @app.route("/cart/<text>")
    def cart(text: str) -> str:
        return str(parse_quantity(text))

    @app.route("/orders/<int:order_id>")
    def order_total(order_id: int) -> str:
        return str(order_id / 0)

    return app


@pytest.fixture(scope="module")
def reported(heron: HeronServer) -> Iterator[Tenant]:
    """A tenant whose Flask app, with the unmodified sentry-sdk, failed three times: twice in the same place."""
    tenant = fresh_tenant(heron, "web")
    sentry_sdk.init(dsn=tenant.dsn, integrations=[FlaskIntegration()], release="shop@1.0", environment="production")
    try:
        with sentry_sdk.isolation_scope():
            client = shop().test_client()
            for path in ("/cart/seven", "/cart/eight", "/orders/5"):
                assert client.get(path).status_code == 500
        sentry_sdk.flush(timeout=10)
        heron.wait_for_digest()
        yield tenant
    finally:
        sentry_sdk.get_client().close(timeout=10)
        sentry_sdk.get_global_scope().set_client(None)


def test_a_person_finds_reads_and_steps_through_an_error(heron: HeronServer, reported: Tenant, page: Page) -> None:
    sign_in_with_browser(page, heron.url, reported.email)
    expect(page.locator("h1")).to_have_text("Projects")
    page.click(f"a.card-link[href$='project={reported.project_id}']")

    rows = page.locator("li.stream-row")
    expect(rows).to_have_count(2)
    expect(page.locator("a.issue-title", has_text="ValueError")).to_be_visible()
    expect(page.locator("a.issue-title", has_text="ZeroDivisionError")).to_be_visible()

    page.fill("input[name=query]", "is:unresolved ValueError environment:production")
    page.press("input[name=query]", "Enter")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".issue-count")).to_contain_text("2")

    page.click("a.issue-title")
    expect(page.locator(".exception-value").first).to_contain_text("'eight'")
    # The most recent in-app frame is open; the view that called it is in-app too, and closed until clicked.
    expect(page.locator("li.frame.in-app details[open] summary")).to_contain_text("parse_quantity")
    caller = page.locator("li.frame.in-app details", has=page.locator("summary", has_text=" in cart "))
    expect(caller).not_to_have_attribute("open", "")
    expect(caller.locator("li.current code")).to_be_hidden()
    caller.locator("summary").click()
    expect(caller).to_have_attribute("open", "")
    expect(caller.locator("li.current code")).to_contain_text("parse_quantity(text)")
    expect(caller.locator(".vars")).to_contain_text("text")

    page.click("a[rel=next]")
    expect(page).to_have_url(re.compile(r"/events/[0-9a-f]{32}/$"))
    expect(page.locator(".exception-value").first).to_contain_text("'seven'")
    expect(page.locator("span.disabled", has_text="Older")).to_be_visible()
    page.click("a[rel=first]")
    expect(page.locator(".exception-value").first).to_contain_text("'eight'")


def test_the_pages_work_with_javascript_off(heron: HeronServer, reported: Tenant, chromium: Browser) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_with_browser(page, heron.url, reported.email, f"/organizations/{reported.org_slug}/issues/")
        page.fill("input[name=query]", "ZeroDivisionError")
        page.click("form.search button[type=submit]")
        expect(page.locator("li.stream-row")).to_have_count(1)
        page.click("a.issue-title")
        expect(page.locator(".exception-type").first).to_have_text("ZeroDivisionError")
        page.click("form[action='/auth/logout/'] button")
        expect(page.locator("h1")).to_have_text("Sign in to Heron")
    finally:
        context.close()


def test_the_api_and_ingest_are_untouched_by_the_pages(heron: HeronServer, reported: Tenant) -> None:
    with heron.api(reported.token) as api:
        assert api.get("/").status_code == 200
        missing = api.get("/no-such-endpoint/")
        assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
        assert "content-security-policy" not in missing.headers
    assert httpx.get(f"{heron.url}/_health").json()["status"] == "ok"

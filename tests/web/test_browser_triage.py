"""In Chromium, against a running Heron: a person resolves an error the real sentry-sdk reported; the app fails the
same way again and the issue comes back as a regression; they assign it, comment on it and read its history."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sentry_sdk
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sentry_sdk.integrations.flask import FlaskIntegration

from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant
from tests.web.browsing import sign_in_with_browser


def checkout() -> Flask:
    app = Flask("checkout")

    @app.route("/pay/<int:cents>")
    def pay(cents: int) -> str:
        raise RuntimeError(f"card declined for {cents} cents")

    return app


@pytest.fixture(scope="module")
def failing(heron: HeronServer) -> Iterator[tuple[Tenant, Callable[[], None]]]:
    """A tenant whose Flask app (unmodified sentry-sdk) has failed once, and a way to make it fail again."""
    tenant = fresh_tenant(heron, "triage")
    sentry_sdk.init(dsn=tenant.dsn, integrations=[FlaskIntegration()], release="checkout@1.0")

    def fail() -> None:
        with sentry_sdk.isolation_scope():
            assert checkout().test_client().get("/pay/500").status_code == 500
        sentry_sdk.flush(timeout=10)
        heron.wait_for_digest()

    try:
        fail()
        yield tenant, fail
    finally:
        sentry_sdk.get_client().close(timeout=10)
        sentry_sdk.get_global_scope().set_client(None)


def test_resolve_regress_assign_comment_and_read_the_history(
    heron: HeronServer, failing: tuple[Tenant, Callable[[], None]], page: Page
) -> None:
    tenant, fail_again = failing
    sign_in_with_browser(page, heron.url, tenant.email, f"/organizations/{tenant.org_slug}/issues/")
    page.locator("a.issue-title", has_text="RuntimeError").click()
    expect(page.locator(".exception-type").first).to_have_text("RuntimeError")
    issue_url = page.url

    page.click("form.triage button[value=resolve]")
    expect(page).to_have_url(issue_url)
    expect(page.locator(".issue-meta .status-resolved")).to_be_visible()

    fail_again()
    page.reload()
    expect(page.locator(".issue-meta .status-unresolved")).to_be_visible()
    expect(page.locator(".issue-meta .sub-regressed")).to_be_visible()
    expect(page.locator("#history .history-regressed")).to_contain_text("happened again after it was resolved")

    page.select_option("form.triage select[name=assignee]", label=tenant.email)
    page.click("form.triage button[value=assign]")
    expect(page.locator(".issue-meta")).to_contain_text(f"assignee: {tenant.email}")

    page.fill("#comment-text", "Declines come from the <b>sandbox</b> gateway")
    page.click("form.comment-form button[type=submit]")
    expect(page.locator(".comment-text")).to_have_text("Declines come from the <b>sandbox</b> gateway")

    history = page.locator("#history")
    expect(history.locator(".history-resolved")).to_contain_text(f"{tenant.email} resolved the issue")
    expect(history.locator(".history-assigned")).to_contain_text(f"assigned the issue to {tenant.email}")
    expect(history.locator(".history-comment")).to_contain_text("commented")


def test_bulk_ignore_from_the_stream_with_javascript_off(
    heron: HeronServer, failing: tuple[Tenant, Callable[[], None]], chromium: Browser
) -> None:
    tenant, _fail_again = failing
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_with_browser(page, heron.url, tenant.email, f"/organizations/{tenant.org_slug}/issues/")
        expect(page.locator("li.stream-row")).to_have_count(1)
        page.check("li.stream-row input[name=issue]")
        page.click("details.bulk summary")
        page.select_option("#bulk select[name=ignore_minutes]", label="for 24 hours")
        page.click("#bulk button[value=ignore]")
        expect(page.locator("p.empty")).to_have_text("No issues match this search.")
        page.fill("input[name=query]", "is:ignored")
        page.click("form.search button[type=submit]")
        expect(page.locator("li.stream-row .status-ignored")).to_be_visible()
    finally:
        context.close()

"""Helpers for browser tests: signing in through the form, as a person does."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.web.site import PASSWORD


def sign_in_with_browser(page: Page, base_url: str, email: str, path: str = "/") -> None:
    """Open `path`, get sent to the sign-in form, sign in, and land back on `path`."""
    page.goto(base_url + path)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()

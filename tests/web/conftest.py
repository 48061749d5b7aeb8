"""Fixtures of the page tests: the pages app in-process on SQLite, and Chromium for the browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.web.site import Site, build_site

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """The pages app on a fresh SQLite database."""
    return build_site(tmp_path, f"sqlite:///{tmp_path / 'heron.sqlite3'}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (tests/setup.sh installs it; CI fails without it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: tests/setup.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (run tests/setup.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A page of a fresh browser context at 1280 x 900."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()

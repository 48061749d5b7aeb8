"""End to end, browser performance: a page with the unmodified @sentry/browser (bundled by esbuild, browser tracing,
tracesSampleRate 1.0) is opened in Chromium from its own origin; its pageload transaction reaches Heron with the
web vitals the SDK measured (CLS after the tab is hidden, in spans of its own), and a person reads them on the
transaction's page."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant
from tests.javascript import bundle_browser_sdk
from tests.web.browsing import sign_in_with_browser

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Orchard shop</title>
<script src="sentry.js"></script>
<script>
Sentry.init({{
  dsn: {dsn},
  release: "shop-web@1.0",
  environment: "production",
  integrations: [Sentry.browserTracingIntegration({{idleTimeout: 500}})],
  tracesSampleRate: 1.0,
}});
</script>
</head>
<body>
<h1>Orchard shop</h1>
<p style="font-size: 40px">Apples, pears and quinces, picked this morning and sent to your door.</p>
<script>
// a late banner pushes the page down: a layout shift
setTimeout(() => {{
  const banner = document.createElement("div");
  banner.style.height = "300px";
  banner.textContent = "Sale on quinces";
  document.body.prepend(banner);
}}, 200);
</script>
</body>
</html>
"""


@pytest.fixture(scope="module")
def shop_site(tmp_path_factory: pytest.TempPathFactory, heron: HeronServer) -> Iterator[tuple[str, Tenant]]:
    """The shop's page served from its own origin, reporting to a fresh tenant; yields its URL and the tenant."""
    tenant = fresh_tenant(heron, "web")
    root = tmp_path_factory.mktemp("shop-web")
    bundle_browser_sdk(root / "sentry.js")
    (root / "index.html").write_text(PAGE.format(dsn=json.dumps(tenant.dsn)))
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html", tenant
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


HIDE_TAB = """() => {
  Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def _pageload(heron: HeronServer, tenant: Tenant, *, measured: str, timeout: float = 30.0) -> dict[str, Any]:
    """The tenant's one stored transaction (as the Discover API shows it), once it has the `measured` vital."""
    deadline = time.monotonic() + timeout
    with heron.api(tenant.token) as api:
        while time.monotonic() < deadline:
            rows = api.get(f"/organizations/{tenant.org_slug}/events/", params={"field": ["id", "transaction"]})
            if rows.status_code == 200 and rows.json()["data"]:
                [row] = rows.json()["data"]
                path = f"/organizations/{tenant.org_slug}/events/{tenant.project_slug}:{row['id']}/"
                found = api.get(path).json()
                if measured in found["measurements"]:
                    return dict(found)
            time.sleep(0.3)
    raise AssertionError(f"no pageload transaction with {measured} reached Heron")


def test_a_browser_pageload_reaches_heron_with_its_web_vitals(
    heron: HeronServer, shop_site: tuple[str, Tenant], chromium: Browser, page: Page
) -> None:
    url, tenant = shop_site
    visitor = chromium.new_page()
    try:
        visitor.goto(url)
        expect(visitor.locator("h1")).to_have_text("Orchard shop")
        expect(visitor.get_by_text("Sale on quinces")).to_be_visible()
        visitor.mouse.click(10, 10)  # an input ends the largest-contentful-paint search, as a real visit would
        first = _pageload(heron, tenant, measured="lcp")
        assert "cls" not in first["measurements"]
        visitor.evaluate(HIDE_TAB)  # as when the visitor switches tabs: the SDK sends CLS, after the pageload
        transaction = _pageload(heron, tenant, measured="cls")
    finally:
        visitor.close()

    assert transaction["contexts"]["trace"]["op"] == "pageload"
    measurements = transaction["measurements"]
    for vital in ("fcp", "lcp", "ttfb"):
        assert measurements[vital]["value"] >= 0, vital
    assert measurements["lcp"]["value"] >= measurements["fcp"]["value"] * 0.99
    assert 0 < measurements["cls"]["value"] < 1

    sign_in_with_browser(page, heron.url, tenant.email, f"/organizations/{tenant.org_slug}/performance/")
    page.locator("a.perf-name", has_text="/index.html").click()
    page.locator("a.slow-event").first.click()
    vitals = page.locator("[aria-label='Web vitals']")
    for label in ("Largest contentful paint (LCP)", "First contentful paint (FCP)", "Time to first byte (TTFB)",
                  "Cumulative layout shift (CLS)"):  # fmt: skip
        expect(vitals).to_contain_text(label)

"""Event data is hostile: an event whose every string field carries HTML and script is shown as text on every page
that shows it. Chromium runs with the Content-Security-Policy bypassed, so the test proves the escaping itself
(the policy is a second wall, tested in test_headers.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.api.sending import send_and_digest
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant
from tests.web.browsing import sign_in_with_browser

PAYLOADS = (
    "<img src=x onerror=window.__xss=1>",
    "<script>window.__xss=1</script>",
    '"><svg onload=window.__xss=1>',
    "'><iframe src=javascript:window.__xss=1>",
)
EVERY_PAYLOAD = " ".join(PAYLOADS)

# What a page must not contain after it loaded, whatever the event said.
INJECTED = "img[src='x'], svg[onload], [onerror], [onload], script:not([src]), iframe, object, embed"


def hostile(label: str) -> str:
    return f"{label} {EVERY_PAYLOAD}"


def hostile_event(number: int) -> dict[str, Any]:
    """An error event with a payload in every string field an SDK can send."""
    frame = {
        "filename": hostile("filename"),
        "abs_path": hostile("abs_path"),
        "module": hostile("frame-module"),
        "function": hostile("function"),
        "lineno": 3,
        "context_line": hostile("context_line"),
        "pre_context": [hostile("pre_context")],
        "post_context": [hostile("post_context")],
        "in_app": True,
        "vars": {hostile("var-name"): hostile("var-value"), "nested": {"deep": [hostile("nested-var")]}},
    }
    return {
        "event_id": uuid.uuid4().hex,
        "timestamp": time.time() - 60 + number,
        "platform": "python",
        "level": "error",
        "fingerprint": ["xss"],
        "logentry": {"message": hostile("message")},
        "exception": {
            "values": [
                {
                    "type": hostile("TypeOfError"),
                    "value": hostile(f"exception-value-{number}"),
                    "module": hostile("exception-module"),
                    "mechanism": {"type": hostile("mechanism"), "handled": False},
                    "stacktrace": {"frames": [frame]},
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {
                    "timestamp": time.time() - 70,
                    "category": hostile("crumb-category"),
                    "message": hostile("crumb-message"),
                    "data": {hostile("crumb-key"): hostile("crumb-data")},
                }
            ]
        },
        "tags": {"payload": hostile("tag"), "plain": "<b>bold</b>"},
        "user": {
            "id": hostile("user-id"),
            "email": hostile("email"),
            "username": hostile("username"),
            "name": hostile("name"),
            "plan": hostile("user-data"),
        },
        "request": {
            "url": "javascript:window.__xss=1//" + EVERY_PAYLOAD,
            "method": "POST",
            "headers": {"X-Payload": hostile("header"), "User-Agent": hostile("user-agent")},
            "query_string": [["q", hostile("query")]],
            "cookies": {"session": hostile("cookie")},
            "data": {"field": hostile("body")},
            "env": {"REMOTE_ADDR": hostile("env")},
        },
        "extra": {hostile("extra-key"): hostile("extra-value")},
        "contexts": {"payload": {"type": "payload", "field": hostile("context")}, "runtime": {"name": hostile("rt")}},
        "environment": "prod<img src=x onerror=window.__xss=1>",
        "release": "shop@1<img src=x onerror=window.__xss=1>",
        "transaction": hostile("transaction"),
        "server_name": hostile("server"),
        "sdk": {"name": hostile("sdk"), "version": "1.0"},
    }


@pytest.fixture(scope="module")
def attacked(heron: HeronServer) -> Tenant:
    tenant = fresh_tenant(heron, "xss")
    send_and_digest(heron, tenant, hostile_event(1), hostile_event(2))
    return tenant


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(bypass_csp=True)
    yield context
    context.close()


def assert_nothing_ran_or_was_injected(page: Page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    found = page.evaluate(
        """(selector) => ({
            xss: typeof window.__xss,
            injected: [...document.querySelectorAll(selector)].map((e) => e.outerHTML.slice(0, 120)),
            scripts: [...document.scripts].map((s) => new URL(s.src).pathname),
        })""",
        INJECTED,
    )
    assert found == {"xss": "undefined", "injected": [], "scripts": ["/static/heron.js"]}, page.url


def test_no_page_showing_the_event_runs_or_injects_anything(
    heron: HeronServer, attacked: Tenant, context: BrowserContext
) -> None:
    page = context.new_page()
    sign_in_with_browser(page, heron.url, attacked.email)
    assert_nothing_ran_or_was_injected(page)

    stream = f"{heron.url}/organizations/{attacked.org_slug}/issues/?project={attacked.project_id}&query="
    page.goto(stream)
    assert PAYLOADS[0] in page.inner_text("a.issue-title")  # titles are trimmed, so not every payload
    assert_nothing_ran_or_was_injected(page)

    page.goto(stream + quote('"' + EVERY_PAYLOAD))  # a search that does not parse is echoed back
    assert page.input_value("input[name=query]") == '"' + EVERY_PAYLOAD
    assert_nothing_ran_or_was_injected(page)

    page.goto(stream)
    page.click("a.issue-title")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    text = page.inner_text("main")
    for label in ("exception-value-2", "context_line", "var-value", "crumb-message", "crumb-data", "header",
                  "email", "user-data", "extra-value", "context", "query", "cookie", "sdk", "tag"):  # fmt: skip
        assert f"{label} {PAYLOADS[0]}" in text, label
    assert_nothing_ran_or_was_injected(page)

    page.click("a[rel=next]")
    assert "exception-value-1" in page.inner_text(".exception-value")
    assert_nothing_ran_or_was_injected(page)

    tag = page.locator("section.tag", has=page.locator("h3", has_text="payload"))
    tag.locator(".distribution a").first.click()
    assert page.input_value("input[name=query]").startswith('payload:"tag <img')
    assert page.locator("li.stream-row").count() == 1
    assert_nothing_ran_or_was_injected(page)


def test_the_sign_in_page_does_not_reflect_a_hostile_next(heron: HeronServer, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(f"{heron.url}/auth/login/?next=" + quote('/"><script>window.__xss=1</script>'))
    assert_nothing_ran_or_was_injected(page)
    page.goto(f"{heron.url}/auth/login/?next=" + quote("javascript:window.__xss=1"))
    assert page.input_value("input[name=next]") == "/"

"""End to end, performance: a Flask app with Flask-SQLAlchemy and an outbound HTTP call, instrumented by the
unmodified sentry-sdk (traces_sample_rate=1.0), sends transactions to a running Heron; one request also raises.
Heron shows the names, span counts, SQL and HTTP spans and links the error and the transaction both ways; then a
person reads it all in Chromium: the Performance page, a transaction's summary and its waterfall."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
import sentry_sdk
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from playwright.sync_api import Page, expect
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.integrations.sqlalchemy import SqlalchemyIntegration
from sqlalchemy import text

from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant
from tests.web.browsing import sign_in_with_browser


def shop(heron_url: str) -> Flask:
    app = Flask("shop")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy(app)

    @app.route("/checkout")
    def checkout() -> str:
        db.session.execute(text("SELECT 42 AS total"))
        with urllib.request.urlopen(f"{heron_url}/_health") as response:  # an outbound call the SDK traces
            status = response.status
        return f"ok {status}"

    @app.route("/pricing")
    def pricing() -> str:
        db.session.execute(text("SELECT 'orchard' AS plan"))
        raise LookupError("no price for plan 'orchard'")

    return app


@pytest.fixture(scope="module")
def traced(heron: HeronServer) -> Iterator[Tenant]:
    """A tenant whose shop served /checkout five times and /pricing (which fails) once, all traced."""
    tenant = fresh_tenant(heron, "perf")
    sentry_sdk.init(dsn=tenant.dsn, integrations=[FlaskIntegration(transaction_style="url"), SqlalchemyIntegration()],
                    traces_sample_rate=1.0, release="shop@3.0", environment="production")  # fmt: skip
    try:
        app = shop(heron.url)
        client = app.test_client()
        with sentry_sdk.isolation_scope():
            for _ in range(5):
                assert client.get("/checkout").status_code == 200
            assert client.get("/pricing").status_code == 500
        sentry_sdk.flush(timeout=10)
        heron.wait_for_digest()
        yield tenant
    finally:
        sentry_sdk.get_client().close(timeout=10)
        sentry_sdk.get_global_scope().set_client(None)


def test_heron_stores_the_flask_transactions_with_sql_and_http_spans(heron: HeronServer, traced: Tenant) -> None:
    path = f"/organizations/{traced.org_slug}/events/"
    with heron.api(traced.token) as api:
        table = api.get(path, params={"field": ["transaction", "count()", "failure_rate()"], "sort": "transaction"})
        assert table.json()["data"] == [
            {"transaction": "/checkout", "count()": 5, "failure_rate()": 0.0},
            {"transaction": "/pricing", "count()": 1, "failure_rate()": 1.0},
        ]
        [checkout] = api.get(path, params={"field": ["id"], "query": "transaction:/checkout", "per_page": "1"}).json()[
            "data"
        ]
        event = api.get(f"{path}app:{checkout['id']}/").json()
        [spans] = [entry["data"] for entry in event["entries"] if entry["type"] == "spans"]
        ops = {span["op"]: span for span in spans}
        assert ops["db"]["description"] == "SELECT 42 AS total"
        assert ops["http.client"]["description"] == f"GET {heron.url}/_health"
        assert ops["http.client"]["data"]["http.response.status_code"] == 200
        [pricing] = api.get(path, params={"field": ["id"], "query": "transaction:/pricing"}).json()["data"]
        failed = api.get(f"{path}app:{pricing['id']}/").json()
        [error] = failed["errors"]
        assert "no price for plan" in error["title"]
        assert failed["tags"][-1] == {"key": "http.status_code", "value": "500"}


def test_a_person_reads_performance_a_summary_and_a_waterfall_in_chromium(
    heron: HeronServer, traced: Tenant, page: Page
) -> None:
    sign_in_with_browser(page, heron.url, traced.email, f"/organizations/{traced.org_slug}/performance/")
    table = page.locator("table.perf-table")
    expect(table).to_contain_text("/checkout")
    expect(table).to_contain_text("/pricing")
    page.locator("a.perf-name", has_text="/checkout").click()
    expect(page.locator("h1")).to_have_text("/checkout")
    expect(page.locator("[aria-label='Where the time goes']")).to_contain_text("http.client")
    page.locator("a.slow-event").first.click()
    waterfall = page.locator("ol.waterfall")
    expect(waterfall).to_contain_text("SELECT 42 AS total")
    expect(waterfall).to_contain_text(f"GET {heron.url}/_health")
    assert waterfall.locator("svg rect").count() >= 2

    page.goto(f"{heron.url}/organizations/{traced.org_slug}/performance/")
    page.locator("a.perf-name", has_text="/pricing").click()
    page.locator("a.slow-event").first.click()
    page.locator("[aria-label='Errors in this trace'] a", has_text="LookupError").click()
    expect(page.locator("h1")).to_contain_text("LookupError")
    page.locator("[aria-label='Trace'] a", has_text="/pricing").click()  # and back from the error to its trace
    expect(page.locator("h1")).to_have_text("/pricing")

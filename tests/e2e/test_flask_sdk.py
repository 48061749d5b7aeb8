"""A real Flask app with the unmodified sentry-sdk (Flask and logging integrations) reporting to a running Heron.

The SDK is global state, so each test initialises it with its own tenant's DSN, works inside a fresh isolation
scope, and unbinds the client afterwards. Requests go through Flask's test client; the SDK sends over HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sentry_sdk
from flask import Flask
from flask.testing import FlaskClient
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from heron.digest.dictionaries import TRAINING_EVENTS
from tests.e2e import stored
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant

RELEASE = "shop@2.4.1"
ENVIRONMENT = "staging"
payments_log = logging.getLogger("shop.payments")


class GatewayTimeout(Exception):
    """The payment provider did not answer in time."""


class GatewayRefused(Exception):
    """The payment provider refused the connection."""


def parse_price(text: str) -> int:
    return int(text)


def parse_quantity(text: str) -> int:
    return int(text)


def shop_app() -> Flask:
    """A small shop whose routes fail (or report) in the ways the tests look for."""
    app = Flask("shop")

    @app.route("/orders/<int:order_id>")
    def order_total(order_id: int) -> str:
        items = 0
        return str(order_id / items)

    @app.route("/coupons/<code>")
    def redeem_coupon(code: str) -> str:
        try:
            int(code)
        except ValueError as error:
            sentry_sdk.capture_exception(error)
        return "ok"

    @app.route("/stock")
    def stock() -> str:
        sentry_sdk.capture_message("Inventory is running low", level="warning")
        return "ok"

    @app.route("/checkout")
    def checkout() -> str:
        for step in ("cart", "address", "payment"):
            sentry_sdk.add_breadcrumb(category="checkout", message=f"entered {step}", data={"step": step})
        payments_log.info("coupon %s applied", "SPRING")
        sentry_sdk.capture_message("checkout abandoned")
        return "ok"

    @app.route("/profile")
    def profile() -> str:
        sentry_sdk.set_user({"id": "u-42", "email": "ada@example.com", "plan": "gold", "seats": 12})
        sentry_sdk.capture_message("profile viewed")
        return "ok"

    @app.route("/tagged")
    def tagged() -> str:
        sentry_sdk.set_tag("tenant", "acme")
        sentry_sdk.set_tag("feature.checkout", "v2")
        sentry_sdk.set_extra("cart", {"items": 3, "total": "59.90"})
        sentry_sdk.capture_message("tagged report")
        return "ok"

    @app.route("/gateway/<kind>")
    def gateway(kind: str) -> str:
        with sentry_sdk.new_scope() as scope:
            scope.fingerprint = ["payment-gateway-down"]
            try:
                if kind == "timeout":
                    raise GatewayTimeout("no answer within 30 s")
                raise GatewayRefused("connection refused")
            except Exception as error:
                sentry_sdk.capture_exception(error)
        return "ok"

    @app.route("/import")
    def import_rows() -> str:
        try:
            int("seven")
        except ValueError as error:
            raise RuntimeError("import failed") from error
        return "ok"

    @app.route("/payments/<order>")
    def pay(order: str) -> str:
        payments_log.error("payment failed for order %s", order)
        return "ok"

    @app.route("/refunds/<order>")
    def refund(order: str) -> str:
        payments_log.error("refund rejected for order %s", order)
        return "ok"

    @app.route("/cart/<int:number>")
    def cart(number: int) -> str:
        raise ValueError(f"cart {number} is empty")

    @app.route("/price/<text>")
    def price(text: str) -> str:
        return str(parse_price(text))

    @app.route("/quantity/<text>")
    def quantity(text: str) -> str:
        return str(parse_quantity(text))

    return app


@dataclass
class Shop:
    """The instrumented shop, its Flask test client and the tenant its SDK reports to."""

    heron: HeronServer
    tenant: Tenant
    client: FlaskClient

    def get(self, path: str) -> int:
        """Request a page; returns the status code."""
        return self.client.get(path).status_code

    def stored_events(self) -> list[dict[str, Any]]:
        """Wait until the SDK has sent everything and Heron has digested it; the stored events, oldest first."""
        sentry_sdk.flush(timeout=10)
        self.heron.wait_for_digest()
        return stored.events(self.heron, self.tenant)[::-1]

    def issues(self) -> list[dict[str, Any]]:
        return stored.issues(self.heron, self.tenant)


@pytest.fixture
def shop(heron: HeronServer) -> Iterator[Shop]:
    """The shop with the SDK initialised for a fresh tenant; the SDK is unbound again afterwards."""
    tenant = fresh_tenant(heron, "flask")
    sentry_sdk.init(
        dsn=tenant.dsn,
        integrations=[
            FlaskIntegration(transaction_style="url"),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        release=RELEASE,
        environment=ENVIRONMENT,
    )
    payments_log.setLevel(logging.INFO)  # so its INFO records reach the logging integration as breadcrumbs
    try:
        with sentry_sdk.isolation_scope():
            yield Shop(heron, tenant, shop_app().test_client())
    finally:
        sentry_sdk.get_client().close(timeout=10)
        sentry_sdk.get_global_scope().set_client(None)


def test_unhandled_route_exception_records_the_request_and_the_route_as_transaction(shop: Shop) -> None:
    assert shop.get("/orders/7?expand=items") == 500
    [event] = shop.stored_events()
    [exception] = stored.entry(event, "exception")["values"]
    assert (exception["type"], exception["value"]) == ("ZeroDivisionError", "division by zero")
    assert exception["mechanism"]["handled"] is False
    request = stored.entry(event, "request")
    assert (request["method"], request["url"], request["query"]) == (
        "GET",
        "http://localhost/orders/7",
        [["expand", "items"]],
    )
    assert stored.tags(event)["transaction"] == "/orders/<int:order_id>"
    assert stored.tags(event)["handled"] == "no"
    assert stored.event(shop.heron, shop.tenant, event["eventID"])["release"] == {"version": RELEASE}
    assert stored.tags(event)["environment"] == ENVIRONMENT
    [issue] = shop.issues()
    assert issue["title"] == "ZeroDivisionError: division by zero"
    assert issue["culprit"] == "/orders/<int:order_id>"
    assert issue["isUnhandled"] is True


def test_captured_exception_is_stored_as_handled(shop: Shop) -> None:
    assert shop.get("/coupons/SPRING") == 200
    [event] = shop.stored_events()
    [exception] = stored.entry(event, "exception")["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "invalid literal for int() with base 10: 'SPRING'"
    assert exception["mechanism"]["handled"] is True
    assert exception["stacktrace"]["frames"][-1]["function"] == "redeem_coupon"
    [issue] = shop.issues()
    assert issue["isUnhandled"] is False
    assert issue["level"] == "error"


def test_captured_message_keeps_its_level(shop: Shop) -> None:
    assert shop.get("/stock") == 200
    [event] = shop.stored_events()
    assert event["message"] == "Inventory is running low"
    assert stored.tags(event)["level"] == "warning"
    [issue] = shop.issues()
    assert (issue["title"], issue["level"]) == ("Inventory is running low", "warning")


def test_breadcrumbs_are_stored_in_the_order_they_were_left(shop: Shop) -> None:
    assert shop.get("/checkout") == 200
    [event] = shop.stored_events()
    crumbs = stored.entry(event, "breadcrumbs")["values"]
    assert [(crumb["category"], crumb["message"]) for crumb in crumbs] == [
        ("checkout", "entered cart"),
        ("checkout", "entered address"),
        ("checkout", "entered payment"),
        ("shop.payments", "coupon SPRING applied"),
    ]
    assert crumbs[0]["data"] == {"step": "cart"}
    assert [crumb["timestamp"] for crumb in crumbs] == sorted(crumb["timestamp"] for crumb in crumbs)


def test_user_custom_keys_are_kept_under_user_data(shop: Shop) -> None:
    assert shop.get("/profile") == 200
    [event] = shop.stored_events()
    user = event["user"]
    assert (user["id"], user["email"]) == ("u-42", "ada@example.com")
    assert user["data"] == {"plan": "gold", "seats": 12}
    assert stored.tags(event)["user"] == "id:u-42"
    [issue] = shop.issues()
    assert issue["userCount"] == 1


def test_tags_and_extra_data_are_stored_with_the_event(shop: Shop) -> None:
    assert shop.get("/tagged") == 200
    [event] = shop.stored_events()
    tags = stored.tags(event)
    assert (tags["tenant"], tags["feature.checkout"]) == ("acme", "v2")
    assert event["context"]["cart"] == {"items": 3, "total": "59.90"}


def test_custom_fingerprint_groups_different_errors_into_one_issue(shop: Shop) -> None:
    assert shop.get("/gateway/timeout") == 200
    assert shop.get("/gateway/refused") == 200
    events = shop.stored_events()
    assert [event["title"] for event in events] == [
        "GatewayTimeout: no answer within 30 s",
        "GatewayRefused: connection refused",
    ]
    [issue] = shop.issues()
    assert issue["count"] == "2"
    assert {event["groupID"] for event in events} == {issue["id"]}


def test_chained_exception_stores_both_exceptions_oldest_first(shop: Shop) -> None:
    assert shop.get("/import") == 500
    [event] = shop.stored_events()
    values = stored.entry(event, "exception")["values"]
    assert [(value["type"], value["value"]) for value in values] == [
        ("ValueError", "invalid literal for int() with base 10: 'seven'"),
        ("RuntimeError", "import failed"),
    ]
    [issue] = shop.issues()
    assert issue["title"] == "RuntimeError: import failed"


def test_logged_errors_keep_template_and_params_and_group_by_template(shop: Shop) -> None:
    # An issue shows what its newest event says, as in Sentry: whichever worker digests which payment event, the
    # issue's title ends up the second payment's.
    for path in ("/payments/1001", "/payments/1002", "/refunds/1001"):
        assert shop.get(path) == 200
    events = shop.stored_events()
    messages = [stored.entry(event, "message") for event in events]
    assert messages == [
        {"formatted": "payment failed for order 1001", "message": "payment failed for order %s", "params": ["1001"]},
        {"formatted": "payment failed for order 1002", "message": "payment failed for order %s", "params": ["1002"]},
        {"formatted": "refund rejected for order 1001", "message": "refund rejected for order %s", "params": ["1001"]},
    ]
    assert stored.tags(events[0])["logger"] == "shop.payments"
    counts = {issue["title"]: issue["count"] for issue in shop.issues()}
    assert counts == {"payment failed for order 1002": "2", "refund rejected for order 1001": "1"}


def test_twenty_errors_from_one_line_become_one_issue_seen_twenty_times(shop: Shop) -> None:
    for number in range(20):
        assert shop.get(f"/cart/{number}") == 500
    events = shop.stored_events()
    assert len(events) == 20
    assert len({event["title"] for event in events}) == 20  # the messages differ; the line is the same
    [issue] = shop.issues()
    assert issue["count"] == "20"
    assert {event["groupID"] for event in events} == {issue["id"]}


def test_the_same_error_from_two_functions_becomes_two_issues(shop: Shop) -> None:
    assert shop.get("/price/ten") == 500
    assert shop.get("/quantity/ten") == 500
    events = shop.stored_events()
    assert [event["title"] for event in events] == ["ValueError: invalid literal for int() with base 10: 'ten'"] * 2
    issues = shop.issues()
    assert sorted(issue["count"] for issue in issues) == ["1", "1"]
    assert {issue["metadata"]["function"] for issue in issues} == {"parse_price", "parse_quantity"}


def test_events_after_the_projects_first_few_hundred_are_stored_smaller_and_read_back_whole(shop: Shop) -> None:
    # Each digest worker samples the project's first events and the first to finish stores a zstd dictionary
    # trained on them; later events are compressed with it. The server is shared with this module's other tests,
    # whose projects hold the workers' sampling places until this one has sent twice their samples' size (at most
    # 41 events here) and then fills its own: with two workers, three samples' worth reaches that in one of them.
    def send(numbers: range) -> None:
        for number in numbers:
            assert shop.get(f"/cart/{number}") == 500
            if number % 50 == 49:
                sentry_sdk.flush(timeout=10)  # the SDK's send queue holds 100 envelopes

    sample = 3 * TRAINING_EVENTS
    send(range(sample))
    assert len(shop.stored_events()) == sample
    send(range(sample, sample + 10))
    events = shop.stored_events()
    assert [stored.entry(event, "exception")["values"][0]["value"] for event in events] == [
        f"cart {number} is empty" for number in range(sample + 10)
    ]
    first, last = events[:10], events[-10:]
    assert max(event["size"] for event in last) < min(event["size"] for event in first) / 2
    assert all(event["packages"] == first[0]["packages"] and event["packages"] for event in last)

"""heron-monitoring in a real Flask app (with SQLAlchemy), reporting through the real sentry-sdk to a running Heron.

Each test initialises the library for its own tenant, exactly as an application would (`init_monitoring(app)`),
works inside a fresh isolation scope and unbinds the SDK afterwards. Events are read back through Heron's API;
transactions, which Heron keeps raw until performance digests them, straight from its SQLite database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sentry_sdk
from flask import Blueprint, Flask, abort, g, request
from flask.testing import FlaskClient
from heron_monitoring import (
    add_breadcrumb,
    capture_exception,
    capture_message,
    init_monitoring,
    monitor_performance,
    set_fingerprint,
    set_tag,
    set_user_context,
    start_span,
    start_transaction,
)
from sqlalchemy import Engine, create_engine, text
from werkzeug.exceptions import HTTPException

from tests.e2e import stored
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer, Tenant

RELEASE = "garden@1.4.0"
ENVIRONMENT = "staging"
CARD = "4111 1111 1111 1111"
FILTERED = "[Filtered]"


class NoisyError(Exception):
    """Ignored by name."""


class FlakySensor(Exception):
    """Ignored by class."""


class PaymentFailed(Exception):
    """The payment provider declined."""


@dataclass
class Gardener:
    """The signed-in user as the application models it."""

    id: int
    email: str
    username: str
    account_id: str
    role: str


@monitor_performance("email.send_invitation")
def send_team_invite(email: str, role: str) -> str:
    return f"invited {email} as {role}"


@monitor_performance("email.send_digest")
async def send_digest(gardens: int) -> int:
    await asyncio.sleep(0)
    return gardens


def charge_card(card_number: str, client_secret: str) -> None:
    note = f"charging card {card_number}"
    raise PaymentFailed(f"{note} declined")


def garden_app(engine: Engine) -> Flask:
    """A small gardening app whose routes use every function of the library."""
    app = Flask("garden")
    api = Blueprint("api", __name__, url_prefix="/api")

    @app.before_request
    def sign_in() -> None:
        if request.headers.get("X-Gardener") == "ada":
            g.user = Gardener(7, "ada@example.com", "ada", "acct-3", "owner")

    @app.route("/checkout")
    def checkout() -> str:
        try:
            raise ZeroDivisionError("cart total divided by zero items")
        except ZeroDivisionError as error:
            capture_exception(error, extra_context={"operation": "user_checkout", "user_id": 7, "cart_total": 99.99})
        return "ok"

    @app.route("/login")
    def login() -> str:
        capture_message(
            "Suspicious login attempt detected", level="warning", extra_context={"ip": "203.0.113.9", "attempts": 5}
        )
        return "ok"

    @app.route("/subscribe")
    def subscribe() -> str:
        add_breadcrumb(message="Viewed pricing", category="navigation", data={"page": "/pricing"})
        add_breadcrumb(message="User clicked 'Subscribe' button", category="ui", data={"plan": "monthly", "price": 99})
        add_breadcrumb(message="Payment form shown", category="ui", level="debug")
        capture_message("Subscription started")
        return "ok"

    @app.route("/me")
    def me() -> str:
        set_user_context(subscription="pro")  # adds a key to the signed-in user
        capture_message("Profile viewed")
        return "ok"

    @app.route("/support")
    def support() -> str:
        set_user_context(user_id="12345", email="user@example.com", subscription="pro")
        capture_message("Support ticket opened")
        return "ok"

    @app.route("/payments/<subscription_id>/<int:attempt>")
    def pay(subscription_id: str, attempt: int) -> str:
        try:
            raise PaymentFailed(f"card declined for {subscription_id} (attempt {attempt})")
        except PaymentFailed as error:
            set_fingerprint(["payment-failed", subscription_id])
            set_tag("payment_status", "failed")
            capture_exception(error)
        return "ok"

    @app.route("/noisy")
    def noisy() -> str:
        raise NoisyError("the sprinkler API timed out again")

    @app.route("/sensor")
    def sensor() -> str:
        try:
            raise FlakySensor("humidity sensor offline")
        except FlakySensor as error:
            capture_exception(error)
        return "ok"

    @app.route("/billing", methods=["POST"])
    def billing() -> str:
        add_breadcrumb(message="customer ssn 123-45-6789 on file", data={"card_number": CARD})
        try:
            charge_card(request.form["card_number"], client_secret="pi_3Kx_secret_9f")
        except PaymentFailed as error:
            capture_exception(error, extra_context={"stripe_secret_key": "sk_live_123", "plan": "pro"})
        return "ok"

    @app.route("/gardens")
    def gardens() -> str:
        with engine.connect() as connection:
            return str(connection.execute(text("SELECT count(*) FROM gardens")).scalar_one())

    @app.route("/checkout/traced")
    def traced_checkout() -> str:
        with start_transaction(name="checkout.process_payment", op="task"):
            with start_span("stripe.api", "Create Stripe customer"):
                pass
            return send_team_invite("bo@example.com", "member")

    for path in ("/health", "/healthz", "/ping"):
        app.add_url_rule(path, path, lambda: "ok")

    @api.errorhandler(Exception)
    def json_error(error: Exception) -> tuple[dict[str, str], int]:
        capture_exception(error)  # reports everything, 404s included: the library drops those
        code = error.code if isinstance(error, HTTPException) and error.code else 500
        return {"error": type(error).__name__}, code

    @api.route("/gardens/<int:garden_id>")
    def api_garden(garden_id: int) -> dict[str, int]:
        if garden_id != 1:
            abort(404)
        return {"id": garden_id}

    @api.route("/harvest")
    def api_harvest() -> dict[str, int]:
        raise LookupError("no harvest recorded")

    app.register_blueprint(api)
    return app


@dataclass
class Garden:
    """The monitored app, its test client and the tenant it reports to."""

    heron: HeronServer
    tenant: Tenant
    client: FlaskClient

    def get(self, path: str, **kwargs: Any) -> int:
        return self.client.get(path, **kwargs).status_code

    def events(self) -> list[dict[str, Any]]:
        """Everything stored once the SDK has sent and Heron has digested it, oldest first."""
        self._settle()
        return stored.events(self.heron, self.tenant)[::-1]

    def issues(self) -> list[dict[str, Any]]:
        return stored.issues(self.heron, self.tenant)

    def transactions(self) -> list[dict[str, Any]]:
        """The stored transactions as the SDK sent them, in the order they started."""
        self._settle()
        return stored.transactions(self.heron, self.tenant)

    def _settle(self) -> None:
        sentry_sdk.flush(timeout=10)
        self.heron.wait_for_digest()


@pytest.fixture
def garden(heron: HeronServer) -> Iterator[Garden]:
    """The garden app monitored for a fresh tenant; the SDK is unbound again afterwards."""
    tenant = fresh_tenant(heron, "monitoring")
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE gardens (id INTEGER PRIMARY KEY)"))
    app = garden_app(engine)
    init_monitoring(
        app,
        dsn=tenant.dsn,
        environment=ENVIRONMENT,
        release=RELEASE,
        traces_sample_rate=1.0,
        profiles_sample_rate=0.0,
        ignore_errors=[KeyboardInterrupt, SystemExit, FlakySensor, "NoisyError"],
    )
    try:
        with sentry_sdk.isolation_scope():
            yield Garden(heron, tenant, app.test_client())
    finally:
        sentry_sdk.get_client().close(timeout=10)
        sentry_sdk.get_global_scope().set_client(None)
        engine.dispose()


def spans(transaction: dict[str, Any]) -> list[tuple[str, str]]:
    return [(span["op"], span["description"]) for span in transaction["spans"]]


def test_captured_exception_keeps_its_extra_context(garden: Garden) -> None:
    assert garden.get("/checkout") == 200
    [event] = garden.events()
    [exception] = stored.entry(event, "exception")["values"]
    assert (exception["type"], exception["mechanism"]["handled"]) == ("ZeroDivisionError", True)
    assert event["context"].items() >= {"operation": "user_checkout", "user_id": 7, "cart_total": 99.99}.items()
    tags = stored.tags(event)
    assert (tags["environment"], tags["release"], tags["level"]) == (ENVIRONMENT, RELEASE, "error")


def test_captured_message_keeps_its_level_and_extra_context(garden: Garden) -> None:
    assert garden.get("/login") == 200
    [event] = garden.events()
    assert event["message"] == "Suspicious login attempt detected"
    assert event["context"].items() >= {"ip": "203.0.113.9", "attempts": 5}.items()
    [issue] = garden.issues()
    assert (issue["title"], issue["level"]) == ("Suspicious login attempt detected", "warning")


def test_breadcrumbs_are_stored_in_the_order_they_were_left(garden: Garden) -> None:
    assert garden.get("/subscribe") == 200
    [event] = garden.events()
    crumbs = stored.entry(event, "breadcrumbs")["values"]
    assert [(crumb["category"], crumb["message"], crumb["level"]) for crumb in crumbs] == [
        ("navigation", "Viewed pricing", "info"),
        ("ui", "User clicked 'Subscribe' button", "info"),
        ("ui", "Payment form shown", "debug"),
    ]
    assert crumbs[1]["data"] == {"plan": "monthly", "price": 99}


def test_the_signed_in_user_and_custom_user_keys_are_stored(garden: Garden) -> None:
    assert garden.get("/me", headers={"X-Gardener": "ada"}) == 200
    assert garden.get("/support", headers={"X-Gardener": "ada"}) == 200
    signed_in, support = garden.events()
    assert signed_in["user"] == {
        "id": "7",
        "email": "ada@example.com",
        "username": "ada",
        "ip_address": None,
        "name": None,
        "geo": None,
        "data": {"account_id": "acct-3", "role": "owner", "subscription": "pro"},
    }
    assert (support["user"]["id"], support["user"]["email"], support["user"]["username"]) == (
        "12345",
        "user@example.com",
        None,
    )
    assert support["user"]["data"] == {"subscription": "pro"}


def test_a_payment_fingerprint_makes_one_issue_per_subscription(garden: Garden) -> None:
    for path in ("/payments/sub_1/1", "/payments/sub_2/1", "/payments/sub_1/2"):
        assert garden.get(path) == 200
    events = garden.events()
    assert [event["title"] for event in events] == [
        "PaymentFailed: card declined for sub_1 (attempt 1)",
        "PaymentFailed: card declined for sub_2 (attempt 1)",
        "PaymentFailed: card declined for sub_1 (attempt 2)",
    ]
    assert {stored.tags(event)["payment_status"] for event in events} == {"failed"}
    first, second, third = (event["groupID"] for event in events)
    assert first == third != second
    counts = {issue["id"]: issue["count"] for issue in garden.issues()}
    assert counts == {first: "2", second: "1"}


def test_ignored_errors_are_not_stored(garden: Garden) -> None:
    assert garden.get("/noisy") == 500
    assert garden.get("/sensor") == 200
    assert garden.get("/checkout") == 200  # sent after the others: once it is stored, they would be too
    [event] = garden.events()
    assert stored.entry(event, "exception")["values"][0]["type"] == "ZeroDivisionError"


def test_client_errors_are_not_stored_even_when_the_app_reports_them(garden: Garden) -> None:
    assert garden.get("/nowhere") == 404
    assert garden.get("/api/gardens/2") == 404
    assert garden.get("/api/harvest") == 500
    [event] = garden.events()
    assert stored.entry(event, "exception")["values"][0]["type"] == "LookupError"


def test_sensitive_values_are_masked_before_they_leave_the_app(garden: Garden) -> None:
    status = garden.client.post(
        "/billing?access_token=tok_1&page=2",
        data={"card_number": CARD, "plan": "pro"},
        headers={"X-Garden-Token": "tok_2", "Accept": "text/html"},
    ).status_code
    assert status == 200
    [event] = garden.events()
    [exception] = stored.entry(event, "exception")["values"]
    assert exception["value"] == f"charging card {FILTERED} declined"
    assert event["context"].items() >= {"stripe_secret_key": FILTERED, "plan": "pro"}.items()
    request_data = stored.entry(event, "request")
    assert request_data["data"] == {"card_number": FILTERED, "plan": "pro"}
    assert ["access_token", FILTERED] in request_data["query"]
    assert ["page", "2"] in request_data["query"]
    headers = dict(request_data["headers"])
    assert (headers["X-Garden-Token"], headers["Accept"]) == (FILTERED, "text/html")
    [crumb] = stored.entry(event, "breadcrumbs")["values"]
    assert (crumb["message"], crumb["data"]) == (f"customer ssn {FILTERED} on file", {"card_number": FILTERED})
    [frame_vars] = [frame["vars"] for frame in exception["stacktrace"]["frames"] if frame["function"] == "charge_card"]
    assert frame_vars == {"card_number": FILTERED, "client_secret": FILTERED, "note": f"'charging card {FILTERED}'"}


def test_requests_and_their_spans_are_stored_as_transactions_but_health_checks_are_not(garden: Garden) -> None:
    for path in ("/health", "/gardens", "/healthz", "/ping", "/checkout/traced", "/health"):
        assert garden.get(path) == 200
    gardens, checkout = garden.transactions()
    assert (gardens["transaction"], gardens["contexts"]["trace"]["op"]) == ("/gardens", "http.server")
    assert ("db", "SELECT count(*) FROM gardens") in spans(gardens)
    assert checkout["transaction"] == "/checkout/traced"
    assert spans(checkout) == [
        ("task", "checkout.process_payment"),
        ("stripe.api", "Create Stripe customer"),
        ("function", "email.send_invitation"),
    ]
    by_op = {span["op"]: span for span in checkout["spans"]}
    assert by_op["stripe.api"]["parent_span_id"] == by_op["task"]["span_id"]
    assert by_op["function"]["parent_span_id"] == by_op["task"]["span_id"]


def test_work_outside_a_request_is_stored_as_its_own_transaction(garden: Garden) -> None:
    with start_transaction(name="nightly.report", op="task"), start_span("report.render", "Render the report"):
        pass
    assert asyncio.run(send_digest(3)) == 3
    report, digest = garden.transactions()
    assert (report["transaction"], report["contexts"]["trace"]["op"]) == ("nightly.report", "task")
    assert spans(report) == [("report.render", "Render the report")]
    assert (digest["transaction"], digest["contexts"]["trace"]["op"]) == ("email.send_digest", "function")
    assert (report["environment"], report["release"]) == (ENVIRONMENT, RELEASE)

"""FieldSprout (examples/fieldsprout) driven by its traffic script, as `make demo` drives it, against a real Heron.

One short run feeds one tenant: every demo user tries each feature once, then uses the app at random for the
rest of the few seconds. Each test checks one thing of the Sentry guide for Flask that Heron must show for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import stored
from tests.e2e.tenants import fresh_tenant
from tests.harness import HeronServer

TRAFFIC = Path(__file__).parents[2] / "examples" / "fieldsprout" / "traffic.py"
# The subscriptions whose card is declined, and the users with an empty garden, in examples/fieldsprout/app/seed.py.
DECLINED_SUBSCRIPTIONS = {"sub_1MqBoMarket", "sub_1MqRooftop"}
USERS_WITH_AN_EMPTY_GARDEN = {"ada@hillside.example", "cy@hillside.example", "dee@rooftop.example"}
PLANS = {"grower": 9.0, "market": 29.0, "cooperative": 99.0}


@dataclass
class DemoRun:
    """What the traffic script printed, and what Heron stored of the run."""

    output: str
    issues: list[dict[str, Any]]
    events: list[dict[str, Any]]
    transactions: list[dict[str, Any]]

    def issue(self, title_start: str) -> dict[str, Any]:
        [found] = [issue for issue in self.issues if issue["title"].startswith(title_start)]
        return found

    def events_of(self, issue: dict[str, Any]) -> list[dict[str, Any]]:
        return [event for event in self.events if event["groupID"] == issue["id"]]

    def transactions_named(self, name: str) -> list[dict[str, Any]]:
        return [transaction for transaction in self.transactions if transaction["transaction"] == name]


@pytest.fixture(scope="module")
def demo(heron: HeronServer) -> DemoRun:
    tenant = fresh_tenant(heron, "fieldsprout")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("SENTRY_")}
    run = subprocess.run(
        [sys.executable, str(TRAFFIC), "--dsn", tenant.dsn, "--duration", "4"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    heron.wait_for_digest()
    return DemoRun(
        run.stdout, stored.issues(heron, tenant), stored.events(heron, tenant), stored.transactions(heron, tenant)
    )


def exception_of(event: dict[str, Any]) -> dict[str, Any]:
    exception: dict[str, Any] = stored.entry(event, "exception")["values"][-1]
    return exception


def test_the_script_prints_the_requests_sent_per_route(demo: DemoRun) -> None:
    for route in ("POST /checkout", "POST /subscribe", "GET /gardens/<id>/yield", "GET /health", "POST /login"):
        assert route in demo.output
    assert "renewal job" in demo.output


def test_the_unhandled_zero_division_is_one_issue_that_knows_the_signed_in_users(demo: DemoRun) -> None:
    issue = demo.issue("ZeroDivisionError")
    events = demo.events_of(issue)
    assert {exception_of(event)["mechanism"]["handled"] for event in events} == {False}
    assert {event["user"]["email"] for event in events} == USERS_WITH_AN_EMPTY_GARDEN
    assert issue["userCount"] == len(USERS_WITH_AN_EMPTY_GARDEN)
    ada = next(event["user"] for event in events if event["user"]["email"] == "ada@hillside.example")
    assert (ada["username"], ada["data"]["role"]) == ("ada", "owner")
    assert ada["id"].isdigit() and isinstance(ada["data"]["account_id"], int)
    tags = stored.tags(events[0])
    assert (tags["environment"], tags["release"], tags["transaction"]) == (
        "demo",
        "fieldsprout@1.0.0",
        "/gardens/<int:garden_id>/yield",
    )


def test_declined_payments_make_one_issue_per_subscription_tagged_failed(demo: DemoRun) -> None:
    payments = [event for event in demo.events if event["title"].startswith("PaymentDeclined: ")]
    issues_by_subscription: dict[str, set[str]] = defaultdict(set)
    for event in payments:
        issues_by_subscription[event["context"]["subscription_id"]].add(event["groupID"])
        assert stored.tags(event)["payment_status"] == "failed"
    assert issues_by_subscription.keys() == DECLINED_SUBSCRIPTIONS
    assert all(len(issue_ids) == 1 for issue_ids in issues_by_subscription.values())
    payment_issues = set.union(*issues_by_subscription.values())
    assert len(payment_issues) == len(DECLINED_SUBSCRIPTIONS)
    # Each declined user both subscribes and checks out.
    assert all(int(issue["count"]) >= 2 for issue in demo.issues if issue["id"] in payment_issues)


def test_the_subscribe_breadcrumb_is_on_the_failed_payment_event(demo: DemoRun) -> None:
    [event, *_] = [event for event in demo.events if stored.tags(event).get("transaction") == "/subscribe"]
    [click] = [
        crumb
        for crumb in stored.entry(event, "breadcrumbs")["values"]
        if (crumb["category"], crumb["message"]) == ("ui", "User clicked 'Subscribe' button")
    ]
    assert PLANS[click["data"]["plan"]] == click["data"]["price"]
    assert event["context"]["plan"] == click["data"]["plan"]


def test_a_failed_sign_in_is_a_warning_issue_without_the_password(demo: DemoRun) -> None:
    issue = demo.issue("Suspicious login attempt detected")
    assert issue["level"] == "warning"
    events = demo.events_of(issue)
    assert {event["context"]["attempts"] for event in events} >= {1}
    assert {stored.entry(event, "request")["data"]["password"] for event in events} == {"[Filtered]"}


def spans(transaction: dict[str, Any]) -> list[tuple[str, str]]:
    return [(span["op"], span["description"]) for span in transaction["spans"]]


def seconds(span: dict[str, Any]) -> float:
    """How long a span (or transaction) took; the SDK sends its timestamps as ISO 8601 text."""
    start, end = (datetime.fromisoformat(span[key]) for key in ("start_timestamp", "timestamp"))
    return (end - start).total_seconds()


def test_requests_and_the_renewal_job_are_traced_but_health_checks_are_not(demo: DemoRun) -> None:
    names = {transaction["transaction"] for transaction in demo.transactions}
    assert names >= {
        "/login",
        "/gardens",
        "/gardens/<int:garden_id>/yield",
        "/gardens/<int:garden_id>/frost-risk",
        "/api/forecast",
        "/pricing",
        "/subscribe",
        "/checkout",
        "/team/invite",
        "/reports/season",
        "checkout.process_payment",
    }
    assert "/health" not in names
    assert {(t["environment"], t["release"]) for t in demo.transactions} == {("demo", "fieldsprout@1.0.0")}


def test_a_checkout_is_traced_with_its_payment_and_provider_spans(demo: DemoRun) -> None:
    checkout = demo.transactions_named("/checkout")[0]
    by_op = {span["op"]: span for span in checkout["spans"]}
    assert ("task", "checkout.process_payment") in spans(checkout)
    assert ("stripe.api", "Create Stripe customer") in spans(checkout)
    assert by_op["stripe.api"]["parent_span_id"] == by_op["task"]["span_id"]
    job = demo.transactions_named("checkout.process_payment")[0]
    assert job["contexts"]["trace"]["op"] == "task"
    assert [op for op, _ in spans(job)] == ["stripe.api", "stripe.api"]


def test_the_slow_report_query_the_outbound_call_and_the_invitation_are_spans(demo: DemoRun) -> None:
    for report in demo.transactions_named("/reports/season"):
        [query] = [span for span in report["spans"] if "WITH RECURSIVE hour" in span["description"]]
        assert (query["op"], query["parent_span_id"]) == ("db", report["contexts"]["trace"]["span_id"])
        assert seconds(query) > 1.0
    frost = spans(demo.transactions_named("/gardens/<int:garden_id>/frost-risk")[0])
    assert any(op == "http.client" and "/api/forecast" in description for op, description in frost)
    invites = demo.transactions_named("/team/invite")  # an owner's sends one; a member's is refused (403)
    assert any(("function", "email.send_invitation") in spans(invite) for invite in invites)

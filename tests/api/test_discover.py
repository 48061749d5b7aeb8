"""Performance through the Discover API, with the real sentry-sdk sending to a running Heron: P50/P75/P95/P99
within 1% of the exact values of known durations, the table's other aggregates, time series, and a transaction
with its spans and the error of its trace."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sentry_sdk

from tests.api.conftest import new_tenant, user_token
from tests.harness import HeronServer, Tenant

PERCENTILES = {"p50()": 0.5, "p75()": 0.75, "p95()": 0.95, "p99()": 0.99}
FIELDS = ["transaction", "count()", *PERCENTILES, "failure_rate()", "tpm()", "apdex()", "avg(transaction.duration)"]


def exact(values: list[float], q: float) -> float:
    return sorted(values)[math.floor(q * (len(values) - 1))]


@pytest.fixture(scope="module")
def perf_tenant(heron: HeronServer) -> Iterator[tuple[Tenant, list[float]]]:
    """A tenant to which the real SDK sent 400 `checkout.process_payment` transactions of known durations (every
    tenth failed), a `GET /health`-free `GET /pricing` one, and a transaction whose request also raised an error."""
    tenant = new_tenant(heron, "perf")
    rng = random.Random(11)
    durations = [round(rng.lognormvariate(5.5, 0.8), 3) for _ in range(400)]
    client = sentry_sdk.Client(dsn=tenant.dsn, traces_sample_rate=1.0, environment="production", release="shop@1.2.0")
    start = datetime.now(UTC) - timedelta(hours=2)
    with sentry_sdk.new_scope() as scope:
        scope.set_client(client)
        for i, duration in enumerate(durations):
            began = start + timedelta(seconds=10 * i)
            transaction = sentry_sdk.start_transaction(
                name="checkout.process_payment", op="task", start_timestamp=began
            )
            if i % 10 == 0:
                transaction.set_status("internal_error")
            transaction.finish(end_timestamp=began + timedelta(milliseconds=duration))
            if i % 50 == 49:
                client.flush(timeout=30)  # the SDK's queue holds 100 envelopes; more would be dropped
        with sentry_sdk.start_transaction(name="GET /pricing", op="http.server"):
            with sentry_sdk.start_span(op="db", name="SELECT * FROM plans"):
                pass
            with sentry_sdk.start_span(op="http.client", name="GET https://rates.example/eur"):
                pass
            try:
                raise LookupError("no price for plan 'orchard'")
            except LookupError as error:
                sentry_sdk.capture_exception(error)
    client.flush(timeout=30)
    client.close()
    heron.wait_for_digest()
    yield tenant, durations


def test_percentiles_from_the_api_are_within_one_percent_of_the_exact_ones(
    heron: HeronServer, perf_tenant: tuple[Tenant, list[float]]
) -> None:
    tenant, durations = perf_tenant
    with heron.api(tenant.token) as api:
        response = api.get(
            f"/organizations/{tenant.org_slug}/events/",
            params={
                "field": FIELDS,
                "query": "event.type:transaction transaction:checkout.process_payment",
                "statsPeriod": "24h",
                "sort": "-p95()",
            },
        )
    assert response.status_code == 200, response.text
    body = response.json()
    [row] = body["data"]
    assert row["transaction"] == "checkout.process_payment" and row["count()"] == 400
    for field, q in PERCENTILES.items():
        truth = exact(durations, q)
        assert abs(row[field] - truth) <= 0.01 * truth, (field, row[field], truth)
    assert row["failure_rate()"] == pytest.approx(0.1)
    assert row["tpm()"] == pytest.approx(400 / (24 * 60))
    satisfied = sum(d <= 300 for d in durations)
    tolerated = sum(300 < d <= 1200 for d in durations)
    assert row["apdex()"] == pytest.approx((satisfied + tolerated / 2) / 400)
    assert row["avg(transaction.duration)"] == pytest.approx(sum(durations) / 400, rel=1e-6)
    assert body["meta"]["fields"]["p95()"] == "duration" and body["meta"]["units"]["p95()"] == "millisecond"


def test_the_table_lists_every_name_sorted_and_refuses_what_it_cannot_answer(
    heron: HeronServer, perf_tenant: tuple[Tenant, list[float]]
) -> None:
    tenant, _durations = perf_tenant
    path = f"/organizations/{tenant.org_slug}/events/"
    with heron.api(tenant.token) as api:
        rows = api.get(path, params={"field": ["transaction", "count()"], "sort": "count()",
                                     "statsPeriod": "7d"}).json()["data"]  # fmt: skip
        assert rows == [{"transaction": "GET /pricing", "count()": 1},
                        {"transaction": "checkout.process_payment", "count()": 400}]  # fmt: skip
        for params, message in (
            ({"field": ["transaction", "count_unique(user)"]}, "Unsupported field"),
            ({"query": "event.type:error"}, "Only event.type:transaction"),
            ({"statsPeriod": "1y"}, "Invalid statsPeriod"),
            ({"field": ["transaction", "count()"], "sort": "-p95()"}, "Cannot sort"),
            ({"field": ["id"], "sort": "-p95()"}, "Transactions sort by"),
        ):
            refused = api.get(path, params=params)
            assert refused.status_code == 400 and message in refused.json()["detail"], params
        assert api.get(path, params={"project": "999999"}).status_code == 404
    outsider = new_tenant(heron, "outsider")
    with heron.api(outsider.token) as api:
        assert api.get(path).status_code == 404


def test_events_stats_gives_a_series_per_axis(heron: HeronServer, perf_tenant: tuple[Tenant, list[float]]) -> None:
    tenant, _durations = perf_tenant
    with heron.api(tenant.token) as api:
        one = api.get(f"/organizations/{tenant.org_slug}/events-stats/",
                      params={"yAxis": "count()", "statsPeriod": "24h", "interval": "1h",
                              "query": "transaction:checkout.process_payment"}).json()  # fmt: skip
        assert len(one["data"]) in (24, 25)
        assert sum(point[1][0]["count"] for point in one["data"]) == 400
        two = api.get(f"/organizations/{tenant.org_slug}/events-stats/",
                      params={"yAxis": ["count()", "p95()"], "statsPeriod": "24h"}).json()  # fmt: skip
        assert set(two) == {"count()", "p95()"} and two["p95()"]["order"] == 1


def test_a_transaction_shows_its_spans_and_the_error_of_its_trace(
    heron: HeronServer, perf_tenant: tuple[Tenant, list[float]]
) -> None:
    tenant, durations = perf_tenant
    token = user_token(heron, ("org:read", "event:read"), org_slug=tenant.org_slug)
    path = f"/organizations/{tenant.org_slug}/events/"
    with heron.api(token) as api:
        slowest = api.get(path, params={"field": ["id", "transaction", "transaction.duration"],
                                        "sort": "-transaction.duration", "per_page": "3"})  # fmt: skip
        assert slowest.status_code == 200, slowest.text
        assert [row["transaction.duration"] for row in slowest.json()["data"]] == pytest.approx(
            sorted(durations, reverse=True)[:3], rel=1e-6
        )
        [pricing] = api.get(path, params={"field": ["id", "trace"], "query": 'transaction:"GET /pricing"'}).json()[
            "data"
        ]
        detail = api.get(f"{path}app:{pricing['id']}/")
        assert detail.status_code == 200, detail.text
        event = detail.json()
        assert event["type"] == "transaction" and event["title"] == "GET /pricing"
        assert event["contexts"]["trace"]["trace_id"] == pricing["trace"]
        [spans] = [entry["data"] for entry in event["entries"] if entry["type"] == "spans"]
        assert [(span["op"], span["description"]) for span in spans] == [
            ("db", "SELECT * FROM plans"),
            ("http.client", "GET https://rates.example/eur"),
        ]
        [error] = event["errors"]
        assert "no price for plan" in error["title"]
        issue = api.get(f"/issues/{error['issueId']}/events/latest/").json()
        assert issue["contexts"]["trace"]["trace_id"] == pricing["trace"]  # and the error leads back to the trace
        assert api.get(f"{path}app:{'0' * 32}/").status_code == 404
        assert api.get(f"{path}other:{pricing['id']}/").status_code == 404
        mixed = api.get(path, params={"field": ["id", "count()"]})
        assert mixed.status_code == 400 and "cannot be combined" in mixed.json()["detail"]

"""The Performance pages in-process: the table of names with percentiles, a name's summary, the waterfall of one
transaction with the error of its trace, slow spans, and tenancy. Transactions are stored by the digest's own code."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from heron.digest.transactions import prepare_transaction, store_transactions
from heron.store.models import Event
from heron.store.projects import digest_projects
from tests.store.world import add_issue
from tests.web.site import Site, add_event, sign_in

TRACE = uuid.uuid4().hex


def payload(name: str, start: float, duration_ms: float, **extra: Any) -> dict[str, Any]:
    root = uuid.uuid4().hex[:16]
    spans = [
        {"span_id": uuid.uuid4().hex[:16], "parent_span_id": root, "op": "db", "description": "SELECT * FROM orders",
         "start_timestamp": start + 0.001, "timestamp": start + 0.001 + duration_ms / 2000},
        {"span_id": uuid.uuid4().hex[:16], "parent_span_id": root, "op": "http.client",
         "description": "<script>POST https://pay.example/charge", "start_timestamp": start + duration_ms / 1500,
         "timestamp": start + duration_ms / 1000, "status": "internal_error",
         "data": {"http.response.status_code": 502}},
    ]  # fmt: skip
    return {
        "transaction": name,
        "start_timestamp": start,
        "timestamp": start + duration_ms / 1000,
        "contexts": {"trace": {"trace_id": TRACE, "span_id": root, "op": "http.server", "status": "ok"}},
        "spans": spans,
        "measurements": {"lcp": {"value": 1834.0}},
        **extra,
    }


def seed(site: Site, project_id: int, count: int = 30) -> str:
    now = time.time()
    event_ids = []
    with site.db() as session:
        prepared = []
        for i in range(count):
            event_id = uuid.uuid4().hex
            event_ids.append(event_id)
            duration = 100.0 + 10 * i
            body = payload("POST /checkout", now - 600 + i, duration)
            prepared.append(prepare_transaction(project_id, event_id, body, now, None))
        store_transactions(session, prepared, digest_projects(session, {project_id}))
    return event_ids[-1]  # the slowest: 390 ms


def test_the_performance_table_summary_waterfall_and_slow_spans(site: Site) -> None:
    _organization, project = site.organization("acme", "ann@acme.example")
    slowest = seed(site, project)
    with site.db() as session:
        issue = add_issue(session, project, "PaymentError: declined")
        add_event(session, project, issue, datetime.now(UTC) - timedelta(seconds=560), title="PaymentError: declined")
        session.execute(update(Event).values(trace_id=TRACE))  # as the digest stores it from contexts.trace
    client = site.client()
    sign_in(client, "ann@acme.example")

    table = client.get("/organizations/acme/performance/?statsPeriod=1h")
    assert table.status_code == 200
    assert "POST /checkout" in table.text and "30 in 1h" in table.text
    assert "No transactions" in client.get("/organizations/acme/performance/?statsPeriod=1h&environment=staging").text
    assert client.get("/organizations/acme/performance/?statsPeriod=1y").status_code == 400
    assert client.get("/organizations/acme/performance/?sort=nope").status_code == 400

    summary = client.get(
        f"/organizations/acme/performance/summary/?project={project}&transaction=POST+/checkout&statsPeriod=1h"
    )
    assert summary.status_code == 200
    text = summary.text
    assert "Where the time goes" in text and "<code>db</code>" in text and "<code>http.client</code>" in text
    assert f"/organizations/acme/performance/app/{slowest}/" in text  # the slowest event is listed
    assert "390 ms" in text

    page = client.get(f"/organizations/acme/performance/app/{slowest}/")
    assert page.status_code == 200
    assert "SELECT * FROM orders" in page.text and "&lt;script&gt;POST https://pay.example/charge" in page.text
    assert ">502<" in page.text and "internal_error" in page.text
    assert "PaymentError: declined" in page.text  # the error of the same trace
    assert "Largest contentful paint" in page.text
    issue_page = client.get(f"/organizations/acme/issues/{issue}/").text  # and the error links back to its trace
    assert f"/organizations/acme/performance/app/{slowest}/" in issue_page
    assert client.get(f"/organizations/acme/performance/app/{'0' * 32}/").status_code == 404

    slow = client.get("/organizations/acme/performance/slow-spans/?statsPeriod=24h")
    assert slow.status_code == 200 and "None in the last 24h" in slow.text  # nothing over 1 s or 3 s

    site.organization("globex", "eve@globex.example")
    eve = site.client()
    sign_in(eve, "eve@globex.example")
    assert eve.get(f"/organizations/acme/performance/app/{slowest}/").status_code == 404
    assert eve.get("/organizations/acme/performance/").status_code == 404

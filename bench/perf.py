"""Performance-page benchmark: the Performance table, a transaction's summary and the Discover API over 90 days
of stored transactions, served by a real `heron serve` to a signed-in session.

Usage (from the repository root, with the virtualenv):

    .venv/bin/python bench/perf.py                                   # 1,000,000 transactions, SQLite
    .venv/bin/python bench/perf.py --transactions 10000000           # the issue's 10 million (about an hour to seed)
    .venv/bin/python bench/perf.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/heron_perf
    .venv/bin/python bench/perf.py --transactions 10000000 --data-dir /tmp/perf10m   # seeds once, then reuses it

What it does:

1. Seeds --transactions transactions over the last 90 days in --names transaction names (skewed: the name of rank r
   gets a share in proportion to 1/r), each with a log-normal duration, a status (2 % failing), an environment and
   three spans (db, http.client, template.render). They are read by the digest's `prepare_transaction` and stored
   by its `store_transactions`, 5,000 per database transaction: rows, minute, hour and day rollups with their
   sketches, span rollups and slow spans are written by the code that writes them in production.
   With --data-dir, the seeded data is kept there (with the database, when it is SQLite) and a later run with the
   same --data-dir (and --database-url) times the pages again without seeding.
2. Starts `heron serve --no-worker`, signs in through the form as the organization's owner, and times each page
   over HTTP: --warmup untimed requests, then --requests timed ones. Prints p50/p95/max milliseconds per page.
3. Exits 1 if any page answered anything but 200.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import HeronServer, Tenant  # noqa: E402
from tests.web.site import PASSWORD  # noqa: E402

from heron.digest.transactions import prepare_transaction, store_transactions  # noqa: E402
from heron.store.engine import make_engine, make_sessionmaker, transaction  # noqa: E402
from heron.store.projects import digest_projects  # noqa: E402

BATCH = 5_000
DAYS = 90
ENVIRONMENTS = ("production", "production", "production", "staging")


def synthetic(name: str, start: float, duration_ms: float, rng: random.Random) -> dict[str, Any]:
    root = f"{rng.getrandbits(64):016x}"
    db_ms, http_ms = duration_ms * rng.uniform(0.1, 0.5), duration_ms * rng.uniform(0.1, 0.4)
    bounds = [start, start + db_ms / 1000, start + (db_ms + http_ms) / 1000, start + duration_ms / 1000]
    kinds = [("db", "SELECT * FROM orders WHERE id = %s"), ("http.client", "POST https://pay.example/charge"),
             ("template.render", "page.html")]  # fmt: skip
    spans = [
        {"span_id": f"{rng.getrandbits(64):016x}", "parent_span_id": root, "op": op, "description": description,
         "start_timestamp": bounds[i], "timestamp": bounds[i + 1]}
        for i, (op, description) in enumerate(kinds)
    ]  # fmt: skip
    return {
        "transaction": name,
        "start_timestamp": start,
        "timestamp": start + duration_ms / 1000,
        "environment": rng.choice(ENVIRONMENTS),
        "contexts": {
            "trace": {
                "trace_id": f"{rng.getrandbits(128):032x}",
                "span_id": root,
                "op": "http.server",
                "status": "internal_error" if rng.random() < 0.02 else "ok",
            }
        },
        "spans": spans,
    }


def seeded(server: HeronServer, args: argparse.Namespace) -> tuple[Tenant, str]:
    """The tenant and busiest transaction name of the data dir's seeded data, seeding it first if need be."""
    marker = server.data_dir / "perf-seeded.json"
    if marker.exists():
        kept = json.loads(marker.read_text())
        if kept["transactions"] == args.transactions:
            print(f"reusing the {args.transactions:,} transactions seeded in {server.data_dir}")
            return Tenant(**kept["tenant"]), kept["busiest"]
        sys.exit(f"{server.data_dir} holds {kept['transactions']:,} transactions, not {args.transactions:,}")
    tenant, busiest = seed(server, args)
    state = {"transactions": args.transactions, "tenant": dataclasses.asdict(tenant), "busiest": busiest}
    marker.write_text(json.dumps(state))
    return tenant, busiest


def seed(server: HeronServer, args: argparse.Namespace) -> tuple[Tenant, str]:
    """Seed the transactions; returns the tenant and the busiest transaction name."""
    tenant = server.create_tenant("perfbench")
    engine = make_engine(server.settings().resolved_database_url, writer=True)
    sessions = make_sessionmaker(engine)
    rng = random.Random(args.seed)
    names = [f"GET /api/v1/resource-{i}" for i in range(args.names)]
    weights = [1 / (rank + 1) for rank in range(args.names)]
    now = time.time()
    started = time.monotonic()
    with transaction(sessions) as session:
        projects = digest_projects(session, {tenant.project_id})
    done, analyzed = 0, BATCH
    while done < args.transactions:
        size = min(BATCH, args.transactions - done)
        prepared = []
        for i in range(size):
            start = now - DAYS * 86400 * (1 - (done + i) / args.transactions) - 60
            name = rng.choices(names, weights)[0]
            duration = rng.lognormvariate(5, 0.9)
            payload = synthetic(name, start, duration, rng)
            prepared.append(prepare_transaction(tenant.project_id, f"{rng.getrandbits(128):032x}", payload, now, None))
        with transaction(sessions) as session:
            store_transactions(session, prepared, projects)
        done += size
        if engine.dialect.name == "postgresql" and done >= analyzed * 1.2:  # autovacuum's default: 10 % changed
            analyze(engine)
            analyzed = done
        if done % 100_000 < BATCH:
            rate = done / (time.monotonic() - started)
            print(f"  {done:,} transactions stored ({rate:,.0f}/s)", flush=True)
    if engine.dialect.name == "postgresql":
        analyze(engine)
    engine.dispose()
    print(f"seeded {args.transactions:,} transactions in {(time.monotonic() - started) / 60:.1f} min")
    return tenant, names[0]


def analyze(engine: Engine) -> None:
    """Refresh PostgreSQL's planner statistics, as its autovacuum does every so often while tables grow. (The
    PostgreSQL of the development machine runs with autovacuum off; without statistics its planner takes a
    (project_id, event_id) lookup for a scan of the whole project.)"""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def signed_in(base_url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=60)
    form = client.get("/auth/login/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post("/auth/login/", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD, "next": "/"})
    return client


def time_page(client: httpx.Client, label: str, path: str, args: argparse.Namespace, headers: dict[str, str]) -> bool:
    for _ in range(args.warmup):
        client.get(path, headers=headers)
    timings, ok = [], True
    for _ in range(args.requests):
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - began) * 1000)
        ok = ok and response.status_code == 200
    timings.sort()
    p95 = timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)]
    print(f"  {label:<44} p50 {statistics.median(timings):7.1f} ms  p95 {p95:7.1f} ms  max {timings[-1]:7.1f} ms"
          f"{'' if ok else '  FAILED'}")  # fmt: skip
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--transactions", type=int, default=1_000_000, help="Transactions to seed.")
    parser.add_argument("--names", type=int, default=50, help="Transaction names they are spread over.")
    parser.add_argument("--database-url", default="", help="Main database URL (default: SQLite in the data dir).")
    parser.add_argument("--requests", type=int, default=20, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per page before those.")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the data generator.")
    parser.add_argument("--data-dir", type=Path, help="Keep the data here and reuse it (default: a temporary dir).")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="heron-perf-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    server = HeronServer(data_dir=data_dir, database_url=args.database_url, serve_args=["--no-worker"])
    try:
        server.migrate()
        tenant, busiest = seeded(server, args)
        org, project_id = tenant.org_slug, tenant.project_id
        server.start(timeout=120)
        engine = make_engine(server.settings().resolved_database_url)
        print(f"database: {engine.dialect.name}; {args.transactions:,} transactions over {DAYS} days")
        engine.dispose()
        name = str(httpx.QueryParams({"transaction": busiest}))
        query = str(httpx.QueryParams({"query": f'transaction:"{busiest}"'}))
        summary = f"/organizations/{org}/performance/summary/?project={project_id}&{name}"
        pages = [
            ("Performance table, 90 days", f"/organizations/{org}/performance/?statsPeriod=90d"),
            ("Performance table, 24 hours", f"/organizations/{org}/performance/?statsPeriod=24h"),
            ("Transaction summary, 90 days", f"{summary}&statsPeriod=90d"),
            ("Transaction summary, 7 days", f"{summary}&statsPeriod=7d"),
        ]
        fields = "&".join(
            f"field={f}" for f in ("transaction", "count()", "p50()", "p75()", "p95()", "p99()", "apdex()")
        )
        api = [
            ("API events p50-p99, 90 days", f"/api/0/organizations/{org}/events/?{fields}&statsPeriod=90d&sort=-p95()"),
            ("API events-stats p95, 90 days",
             f"/api/0/organizations/{org}/events-stats/?yAxis=p95()&statsPeriod=90d&{query}"),
        ]  # fmt: skip
        ok = True
        browser = signed_in(server.url, tenant.email)
        try:
            for label, path in pages:
                ok = time_page(browser, label, path, args, {}) and ok
        finally:
            browser.close()
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for label, path in api:
                ok = time_page(client, label, path, args, {"Authorization": f"Bearer {tenant.token}"}) and ok
        return 0 if ok else 1
    finally:
        server.stop()
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Realistic traffic for FieldSprout: signed-in gardeners using every feature, for as long as you say.

    python examples/fieldsprout/traffic.py --dsn http://KEY@127.0.0.1:8000/2 --duration 60

FieldSprout runs in this process with a fresh SQLite database of demo data, behind a real HTTP server on a free
local port (so sessions, the outbound forecast call and the request traces are what production would have), and
reports through heron-monitoring to the DSN. Each demo user first tries every feature once, so a short run still
shows all of them, then browses at random until the time is up; the nightly renewal job runs at the start and
every RENEWAL_INTERVAL seconds. At the end it prints the requests sent per route.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import sentry_sdk
from flask import Flask
from flask.logging import default_handler
from werkzeug.serving import make_server

from app import create_app
from app.billing import PLANS, renew_subscriptions
from app.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo_data

# What the run reports as, unless the environment says otherwise.
MONITORING_DEFAULTS = {
    "SENTRY_ENVIRONMENT": "demo",
    "SENTRY_RELEASE": "fieldsprout@1.0.0",
    "SENTRY_TRACES_SAMPLE_RATE": "1.0",
    "SENTRY_PROFILES_SAMPLE_RATE": "0",  # Heron keeps no profiles
}
RENEWAL_INTERVAL = 20.0
GARDEN_ROUTE = "/gardens/<id>"

Tally = Counter[tuple[str, int]]  # (method and route, status) -> requests


class Gardener:
    """One demo user in a browser of their own: a cookie jar, and what they have seen of the app so far."""

    def __init__(self, email: str, base_url: str, seed: int) -> None:
        self.email = email
        self.base_url = base_url
        self.rng = random.Random(seed)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.garden_ids: list[int] = []
        self.tally: Tally = Counter()

    def request(self, method: str, path: str, form: dict[str, str] | None = None, route: str = "") -> bytes:
        """Send a request and count it under `route` (by default `path`); the body, whatever the status."""
        data = urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base_url + path, data, method=method), timeout=60) as r:
                status, body = int(r.status), bytes(r.read())
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        self.tally[(f"{method} {route or path}", status)] += 1
        return body

    def sign_in(self) -> None:
        self.request("POST", "/login", {"email": self.email, "password": DEMO_PASSWORD})

    def mistype_password(self) -> None:
        self.request("POST", "/logout")
        self.request("POST", "/login", {"email": self.email, "password": DEMO_PASSWORD[:-1]})
        self.sign_in()

    def view_gardens(self) -> None:
        self.garden_ids = [garden["id"] for garden in json.loads(self.request("GET", "/gardens"))["gardens"]]

    def check_yield(self, garden_id: int | None = None) -> None:
        garden_id = garden_id or self.rng.choice(self.garden_ids)
        self.request("GET", f"/gardens/{garden_id}/yield", route=f"{GARDEN_ROUTE}/yield")

    def check_frost_risk(self) -> None:
        garden_id = self.rng.choice(self.garden_ids)
        self.request("GET", f"/gardens/{garden_id}/frost-risk", route=f"{GARDEN_ROUTE}/frost-risk")

    def view_pricing(self) -> None:
        self.request("GET", "/pricing")

    def subscribe(self) -> None:
        self.view_pricing()
        self.request("POST", "/subscribe", {"plan": self.rng.choice(list(PLANS))})

    def check_out(self) -> None:
        self.request("POST", "/checkout")

    def invite(self) -> None:
        self.request("POST", "/team/invite", {"email": f"friend{self.rng.randrange(1000)}@example.com"})

    def read_season_report(self) -> None:
        self.request("GET", "/reports/season")

    def probe_health(self) -> None:
        self.request("GET", "/health")

    def tour(self) -> None:
        """Every feature once, the failed sign-in first."""
        self.mistype_password()
        self.view_gardens()
        self.subscribe()
        self.check_out()
        for garden_id in self.garden_ids:
            self.check_yield(garden_id)
        self.check_frost_risk()
        self.invite()
        self.read_season_report()
        self.probe_health()

    def browse(self, deadline: float) -> None:
        """Random features, weighted as people use them, until `deadline` (a `time.monotonic()`)."""
        actions: dict[Callable[[], None], int] = {
            self.view_gardens: 8,
            self.check_yield: 6,
            self.check_frost_risk: 3,
            self.view_pricing: 3,
            self.subscribe: 1,
            self.check_out: 2,
            self.invite: 1,
            self.read_season_report: 1,
            self.probe_health: 4,
            self.mistype_password: 1,
        }
        while time.monotonic() < deadline:
            self.rng.choices(list(actions), list(actions.values()))[0]()
            time.sleep(self.rng.uniform(0.05, 0.4))


def visit(gardener: Gardener, deadline: float) -> Tally:
    gardener.tour()
    gardener.browse(deadline)
    return gardener.tally


def run_traffic(app: Flask, duration: float, seed: int) -> tuple[Tally, int]:
    """Serve `app` on a free port and send it `duration` seconds of traffic; the tally and renewal job runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    deadline = time.monotonic() + duration
    renewals = 0
    try:
        with ThreadPoolExecutor(len(DEMO_USERS)) as pool:
            gardeners = [Gardener(email, base_url, seed + i) for i, email in enumerate(DEMO_USERS)]
            visits = [pool.submit(visit, gardener, deadline) for gardener in gardeners]
            while renewals == 0 or time.monotonic() < deadline:
                with app.app_context():
                    renew_subscriptions()
                renewals += 1
                time.sleep(max(0.0, min(RENEWAL_INTERVAL, deadline - time.monotonic())))
            tally = sum((visit.result() for visit in visits), Counter())
    finally:
        server.shutdown()
    return tally, renewals


def summary(tally: Tally, renewals: int, duration: float) -> str:
    """Requests per route with their statuses, one route a line."""
    routes: dict[str, Counter[int]] = {}
    for (route, status), count in tally.items():
        routes.setdefault(route, Counter())[status] += count
    lines = [f"FieldSprout: {sum(tally.values())} requests in {duration:.0f} s from {len(DEMO_USERS)} users"]
    for route, statuses in sorted(routes.items(), key=lambda item: item[0].split()[::-1]):
        by_status = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        lines.append(f"  {route:<34} {statuses.total():>5}   ({by_status})")
    lines.append(f"  {'renewal job (outside requests)':<34} {renewals:>5}   runs")
    return "\n".join(lines)


def quiet_logs(app: Flask) -> None:
    """No request log and no tracebacks in the terminal: the errors are for Heron to show."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.logger.removeHandler(default_handler)
    app.logger.addHandler(logging.NullHandler())
    app.logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", default=os.environ.get("SENTRY_DSN"), help="where to report (default: SENTRY_DSN)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic (default: 60)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the users' random choices (default: 1)")
    args = parser.parse_args(argv)
    if not args.dsn:
        parser.error("give --dsn or set SENTRY_DSN")
    os.environ["SENTRY_DSN"] = args.dsn
    for variable, value in MONITORING_DEFAULTS.items():
        os.environ.setdefault(variable, value)
    with tempfile.TemporaryDirectory(prefix="fieldsprout-") as data_dir:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(data_dir) / 'fieldsprout.sqlite3'}"})
        quiet_logs(app)
        with app.app_context():
            seed_demo_data()
        tally, renewals = run_traffic(app, args.duration, args.seed)
    sentry_sdk.flush(timeout=30)
    print(summary(tally, renewals, args.duration))
    return 0


if __name__ == "__main__":
    sys.exit(main())

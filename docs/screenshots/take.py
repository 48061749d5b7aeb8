"""Take the README's screenshots of the dashboard: the issue stream and an issue page, light and dark.

    make screenshots                                        # or, from the repository root:
    .venv/bin/python docs/screenshots/take.py [--out DIR]   # DIR defaults to docs/screenshots

Everything comes from the repository, so anyone can take them again after changing a page or the CSS:

1. `heron serve` starts on a temporary data dir (tests.harness.HeronServer, SQLite), with an admin (Rosa), a
   member (Sam), the organization FieldSprout and its project `fieldsprout`.
2. The real sentry-sdk, with its Flask integration, reports the failures of docs/screenshots/fieldsprout.py, a
   tiny Flask app driven through its test client: release fieldsprout@1.2.0, environment production, a user and
   tags per request, breadcrumbs from logging, queries and HTTP calls. About eighty events make five issues: a
   ZeroDivisionError in a report, a KeyError in checkout, a declined payment grouped by a custom fingerprint, an
   AttributeError and a warning message. A fixed random seed spreads the events over the last fortnight, each
   moved back in time by `before_send` (Heron accepts timestamps up to 30 days old), so the counts, the first
   and last seen times and the charts have a history to show.
3. When the digest has stored everything, Rosa signs in with Debian's Chromium (/usr/bin/chromium) through
   Playwright, assigns the payment issue to Sam and comments on it, as a person would.
4. Chromium saves 1280 x 800 PNGs of the stream and of the payment issue, once with `color_scheme="light"` and
   once with `"dark"` (what `prefers-color-scheme` reads): stream-light.png, stream-dark.png, issue-light.png and
   issue-dark.png.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for tests.harness and tests.web

import sentry_sdk
from fieldsprout import GARDENERS, create_app
from flask.logging import default_handler
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from sentry_sdk.integrations.flask import FlaskIntegration
from sentry_sdk.utils import format_timestamp
from tests.harness import HeronServer
from tests.web.browsing import sign_in_with_browser
from tests.web.site import PASSWORD

from heron.protocol.dsn import build_dsn
from heron.store.accounts import add_member, create_organization, create_user
from heron.store.engine import make_engine, make_sessionmaker, transaction
from heron.store.projects import create_project

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
ADMIN_EMAIL = "rosa@fieldsprout.example"
MEMBER_EMAIL = "sam@fieldsprout.example"
ORGANIZATION = "fieldsprout"
HOST = "app.fieldsprout.example"
BROWSER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
SEED = 7


@dataclass(frozen=True)
class Visit:
    """One request of a gardener to the app, `hours_ago` before now."""

    hours_ago: float
    gardener: int
    method: str
    path: str
    form: dict[str, str] | None = None


@dataclass
class Backdating:
    """A `before_send` that moves each event, and its breadcrumbs, `hours_ago` back in time."""

    hours_ago: float = 0.0

    def before_send(self, event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
        event["timestamp"] = self.earlier(event["timestamp"])
        for crumb in event.get("breadcrumbs", {}).get("values", []):
            crumb["timestamp"] = self.earlier(crumb["timestamp"])
        return event

    def earlier(self, timestamp: str) -> str:
        """The SDK's timestamp text, `hours_ago` earlier, in the same form."""
        return format_timestamp(datetime.fromisoformat(timestamp) - timedelta(hours=self.hours_ago))


def spread(rng: random.Random, count: int, days: float) -> list[float]:
    """`count` ages in hours within the last `days`, denser towards now, the first one `days` ago."""
    return [days * 24, *(days * 24 * rng.random() ** 1.7 for _ in range(count - 1))]


def fortnight_of_failures(rng: random.Random) -> list[Visit]:
    """The requests that fail, oldest first: five issues with different counts, users and ages."""
    everyone = list(GARDENERS)
    visits: list[Visit] = []
    for age in spread(rng, 34, days=13):
        gardener = rng.choice([102, 104, 106])  # the gardeners whose cards are declined
        visits.append(Visit(age, gardener, "POST", f"/subscriptions/{3000 + gardener}/renew"))
    for age in spread(rng, 21, days=6):
        visits.append(Visit(age, rng.choice(everyone), "POST", "/checkout", {"plan": "orchard"}))
    for age in spread(rng, 9, days=3):
        visits.append(Visit(age, rng.choice([102, 103, 108]), "GET", "/gardens/31/report"))
    for age in spread(rng, 4, days=2):
        visits.append(Visit(age, rng.choice([105, 107]), "POST", "/gardens/42/invite", {"email": "kofi@example.gh"}))
    for age in spread(rng, 12, days=10):
        visits.append(Visit(age, rng.choice(everyone), "GET", f"/gardens/{rng.choice([17, 23, 42])}/forecast"))
    return sorted(visits, key=lambda visit: -visit.hours_ago)


def create_fieldsprout(heron: HeronServer) -> str:
    """Rosa (admin) and Sam, the organization FieldSprout and its project; returns the project's DSN."""
    engine = make_engine(heron.settings().resolved_database_url, writer=True)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            rosa = create_user(session, ADMIN_EMAIL, PASSWORD, superuser=True, name="Rosa Alvarez")
            sam = create_user(session, MEMBER_EMAIL, PASSWORD, name="Sam Okafor")
            organization = create_organization(session, ORGANIZATION, "FieldSprout", rosa)
            add_member(session, organization, sam, "member")
            project, key = create_project(session, organization.id, "fieldsprout", "FieldSprout", "python-flask")
            return build_dsn(heron.url, key.public_key, project.id)
    finally:
        engine.dispose()


def report_failures(heron: HeronServer, dsn: str, visits: list[Visit]) -> None:
    """Make each visit with the real sentry-sdk reporting to `dsn`, then wait until Heron has digested it all."""
    backdating = Backdating()
    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration(transaction_style="url")],
        release="fieldsprout@1.2.0",
        environment="production",
        server_name="web-2",
        project_root=str(HERE),
        before_send=backdating.before_send,  # type: ignore[arg-type]
    )
    try:
        app = create_app()
        # The failures are meant: Heron shows them, stderr need not.
        app.logger.removeHandler(default_handler)
        app.logger.addHandler(logging.NullHandler())
        client = app.test_client()
        for visit in visits:
            backdating.hours_ago = visit.hours_ago
            client.set_cookie("gardener", str(visit.gardener), domain=HOST)
            client.open(
                visit.path,
                method=visit.method,
                data=visit.form,
                base_url=f"https://{HOST}",
                headers={"User-Agent": BROWSER_AGENT},
            )
        sentry_sdk.flush(timeout=30)
    finally:
        sentry_sdk.get_client().close(timeout=30)
        sentry_sdk.get_global_scope().set_client(None)
    heron.wait_for_digest(timeout=60)


def triage_payment_issue(browser: Browser, heron: HeronServer) -> None:
    """As Rosa: assign the declined payments to Sam and say why."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        sign_in_to_stream(page, heron)
        open_payment_issue(page)
        page.select_option("select[name=assignee]", label="Sam Okafor")
        page.click("button[value=assign]")
        page.fill(
            "#comment-text", "All three declines are renewals on the new provider. Sam, can you check the retries?"
        )
        page.click(".comment-form button[type=submit]")
        page.wait_for_load_state()
    finally:
        context.close()


def sign_in_to_stream(page: Page, heron: HeronServer) -> None:
    sign_in_with_browser(page, heron.url, ADMIN_EMAIL, f"/organizations/{ORGANIZATION}/issues/")


def open_payment_issue(page: Page) -> None:
    """From the stream, as a click on the issue's title."""
    page.click("a.issue-title >> text=PaymentFailed")
    page.wait_for_load_state()


def photograph(browser: Browser, heron: HeronServer, out: Path) -> Iterator[Path]:
    """The stream and the payment issue in each colour scheme; yields each PNG written."""
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
        try:
            page = context.new_page()
            sign_in_to_stream(page, heron)
            yield screenshot(page, out / f"stream-{scheme}.png")
            open_payment_issue(page)
            yield screenshot(page, out / f"issue-{scheme}.png")
        finally:
            context.close()


def screenshot(page: Page, path: Path) -> Path:
    page.screenshot(path=path, animations="disabled", caret="hide")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the PNGs (default: %(default)s)")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="heron-screenshots-") as data_dir:
        # One digest worker stores the events in the order they were sent, so each issue's title is its oldest
        # event's and every run looks the same.
        heron = HeronServer(Path(data_dir), extra_env={"HERON_DIGEST_WORKERS": "1"})
        heron.migrate()
        heron.start()
        try:
            report_failures(heron, create_fieldsprout(heron), fortnight_of_failures(random.Random(SEED)))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                try:
                    triage_payment_issue(browser, heron)
                    for path in photograph(browser, heron, out):
                        print(f"{path} ({path.stat().st_size // 1024} KB)")
                finally:
                    browser.close()
        finally:
            heron.stop()


if __name__ == "__main__":
    main()
